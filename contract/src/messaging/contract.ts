import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema } from '../common/schemas';
import {
  messagePreviewBodySchema,
  messagePreviewSchema,
  messageTemplateParamsSchema,
  messageTemplateSchema,
  messagingSettingsSchema,
  putMessageTemplateBodySchema,
  putMessagingSettingsBodySchema,
} from './schemas';

const meta = routeMeta('Messaging');

export const messagingContract = c.router({
  getSettings: {
    method: 'GET',
    path: '/tenants/:id/messaging',
    summary:
      "The tenant's mail sender settings (the SMTP password is never answered, only whether one is set)",
    pathParams: idParamsSchema,
    responses: { 200: messagingSettingsSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
  putSettings: {
    method: 'PUT',
    path: '/tenants/:id/messaging',
    summary: "Set the tenant's own SMTP server, sender and default locale",
    description:
      "Absent keeps a value, null clears it (mail then leaves through the deployment's server). The password is stored encrypted.",
    pathParams: idParamsSchema,
    body: putMessagingSettingsBodySchema,
    responses: { 200: messagingSettingsSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  getTemplate: {
    method: 'GET',
    path: '/tenants/:id/messaging/templates/:kind/:locale',
    summary: "The template of a kind and locale: the tenant's own, else the built-in one",
    pathParams: messageTemplateParamsSchema,
    responses: { 200: messageTemplateSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
  putTemplate: {
    method: 'PUT',
    path: '/tenants/:id/messaging/templates/:kind/:locale',
    summary: "Set the tenant's own template of a kind and locale",
    description:
      '`{{variable}}` is the only syntax; a variable the kind does not have, or a malformed `{{`, is `400 template_invalid`.',
    pathParams: messageTemplateParamsSchema,
    body: putMessageTemplateBodySchema,
    responses: { 200: messageTemplateSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  deleteTemplate: {
    method: 'DELETE',
    path: '/tenants/:id/messaging/templates/:kind/:locale',
    summary: "Remove the tenant's own template (the built-in one applies again)",
    pathParams: messageTemplateParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.update' }),
  },
  preview: {
    method: 'POST',
    path: '/tenants/:id/messaging/preview',
    summary: 'Render a message with sample values (sends nothing)',
    pathParams: idParamsSchema,
    body: messagePreviewBodySchema,
    responses: { 200: messagePreviewSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'user_or_api_key', permission: 'tenants.read' }),
  },
});
