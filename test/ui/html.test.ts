import { describe, expect, it } from 'vitest';
import { escapeHtml, html, jsonForScript, SafeHtml } from '../../src/ui/html.js';

describe('the UI escape function', () => {
  it('escapes the characters that start markup or end an attribute', () => {
    expect(escapeHtml(`<img src=x onerror=alert(1)> & "a" 'b' \`c\``)).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;a&quot; &#39;b&#39; &#96;c&#96;');
  });

  it('html`` escapes every value, in text and in attributes, and joins arrays', () => {
    const name = '<img src=x onerror=alert(1)>';
    const out = html`<a title="${'" onmouseover="x'}">${name}</a>${[name, 1, null, undefined, false]}`.text;
    expect(out).toBe('<a title="&quot; onmouseover=&quot;x">&lt;img src=x onerror=alert(1)&gt;</a>&lt;img src=x onerror=alert(1)&gt;1');
  });

  it('keeps html`` output as it is, and only that', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`<p>${new SafeHtml('<br>')}${'<br>'}</p>`.text).toBe('<p><br>&lt;br&gt;</p>');
  });

  it('JSON for a script element cannot close it or open a comment, and parses back to the same value', () => {
    const value = { name: '</script><script>alert(1)</script><!--', sep: '\u2028\u2029', amp: 'a&b' };
    const text = jsonForScript(value).text;
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
