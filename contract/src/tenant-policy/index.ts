export { managementActions, mergeGroups, patternCovers, uncoveredPatterns } from './built-in';
export {
  type BuiltInRole,
  builtInRoles,
  defaultMemberRole,
  defaultPolicy,
  ownerRole,
  verifiedGroup,
} from './default-policy';
export { mfaSubjectAttributes } from './subject-attributes';
