import { messageKinds } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { builtInLocales, builtInTemplates } from './defaults.js';
import { assertTemplateValid, renderTemplate, templateProblems, variablesOf } from './templates.js';

describe('the template language', () => {
  it('replaces {{name}} (spaces allowed) and renders a missing variable empty', () => {
    expect(
      renderTemplate('Hi {{ recipient }}, {{code}}{{missing}}!', { recipient: 'a@b.test', code: '123' }),
    ).toBe('Hi a@b.test, 123!');
  });

  it('escapes every value in an HTML body, and only there', () => {
    const value = `<script>alert("x")</script> & 'y' \``;
    expect(renderTemplate('<p>{{tenant_name}}</p>', { tenant_name: value }, { html: true })).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;</p>',
    );
    expect(renderTemplate('{{tenant_name}}', { tenant_name: value })).toBe(value);
  });

  it('interprets nothing but a placeholder: values are not templates, and no expression runs', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'no' })).toBe('{{b}}');
    expect(renderTemplate('{{constructor}}{{__proto__}}{{toString}}', {})).toBe('');
  });

  it('refuses unknown variables and malformed braces with template_invalid, naming the field', () => {
    expect(templateProblems('otp_code', 'Code {{code}} for {{tenant_name}}')).toEqual([]);
    expect(templateProblems('otp_code', '{{link}}')).toEqual([
      '{{link}} is not a variable of otp_code messages',
    ]);
    expect(templateProblems('otp_code', '{{ code.length }}')).toHaveLength(1);
    expect(templateProblems('otp_code', '{{#each x}}')).toHaveLength(1);
    expect(templateProblems('otp_code', 'a }} b')).toHaveLength(1);
    let error: unknown;
    try {
      assertTemplateValid('magic_link', { subject: 'ok {{tenant_name}}', text: '{{code}}', html: null });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('template_invalid');
    expect((error as AppError).errors).toEqual([
      { path: 'body.text', message: '{{code}} is not a variable of magic_link messages' },
    ]);
  });

  it('ships valid built-in templates for every kind in en and de', () => {
    expect(builtInLocales).toEqual(expect.arrayContaining(['en', 'de']));
    for (const locale of builtInLocales) {
      for (const kind of messageKinds) {
        const template = builtInTemplates[locale]![kind];
        for (const part of [template.subject, template.text, template.html ?? '']) {
          expect(templateProblems(kind, part), `${locale}/${kind}`).toEqual([]);
        }
        expect(template.subject).not.toContain('{{code}}');
      }
    }
    expect(variablesOf('otp_code')).toEqual(
      expect.arrayContaining(['tenant_name', 'code', 'expires_minutes']),
    );
  });
});
