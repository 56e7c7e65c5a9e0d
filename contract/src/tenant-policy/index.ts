export { managementActions, mergeGroups, patternCovers, uncoveredPatterns } from './built-in';
export {
  type BuiltInRole,
  builtInRoles,
  defaultMemberRole,
  defaultPolicy,
  ownerRole,
  verifiedGroup,
} from './default-policy';
export {
  type MetadataAttributeSource,
  metadataAttributeSources,
  metadataSubjectAttributes,
  mfaSubjectAttributes,
  type SubjectAttributeValue,
  tokenSubjectAttributes,
} from './subject-attributes';
