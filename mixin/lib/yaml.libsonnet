// YAML as people write Prometheus rule files: keys in the order rule files use (record/alert,
// expr, for, labels, annotations), plain scalars where YAML reads them back as the same string,
// single quotes otherwise, multi-line expressions as literal blocks. std.manifestYamlDoc quotes
// every string and sorts every key, which makes the shipped rules hard to read.
local util = import 'util.libsonnet';

local keyOrder = [
  'apiVersion', 'kind', 'metadata', 'spec', 'name', 'namespace', 'groups', 'interval', 'rules',
  'record', 'alert', 'expr', 'for', 'labels', 'annotations', 'summary', 'description',
];
local keys(o) =
  [k for k in keyOrder if std.objectHas(o, k)] +
  [k for k in std.objectFields(o) if !std.member(keyOrder, k)];

local indicators = std.stringChars('-?:,[]{}#&*!|>\'"%@`');
local words = ['true', 'false', 'yes', 'no', 'on', 'off', 'null', '~', 'y', 'n'];
// std.findSubstr is slow in jsonnet 0.18 (seconds for the alerts); strReplace is not.
local contains(s, part) = std.strReplace(s, part, '') != s;
local plain(s) =
  s != '' &&
  !std.member(indicators, s[0]) &&
  !std.member('0123456789.+ ', s[0]) &&
  s[std.length(s) - 1] != ' ' &&
  !contains(s, ': ') &&
  !contains(s, ' #') &&
  s[std.length(s) - 1] != ':' &&
  !std.member(words, std.asciiLower(s));

local scalar(v, indent) =
  if std.isString(v) then
    if contains(v, '\n') && v[0] != ' ' then
      local body = if std.endsWith(v, '\n') then std.substr(v, 0, std.length(v) - 1) else v;
      (if std.endsWith(v, '\n') then '|' else '|-') + '\n' +
      std.join('\n', [if l == '' then '' else indent + l for l in std.split(body, '\n')])
    else if plain(v) then v
    else "'" + std.strReplace(v, "'", "''") + "'"
  else if std.isBoolean(v) then (if v then 'true' else 'false')
  else if v == null then 'null'
  else util.num(v);

local empty(v) = (std.isObject(v) || std.isArray(v)) && std.length(v) == 0;

// `first` prefixes the first line instead of `indent`: a list item's "- ".
local node(v, indent, first) =
  if std.isObject(v) then
    local ks = keys(v);
    std.join('\n', [
      (if i == 0 then first else indent) + ks[i] + ':' + (
        local x = v[ks[i]];
        if empty(x) then (if std.isObject(x) then ' {}' else ' []')
        else if std.isObject(x) || std.isArray(x) then '\n' + node(x, indent + '  ', indent + '  ')
        else ' ' + scalar(x, indent + '  ')
      )
      for i in std.range(0, std.length(ks) - 1)
    ])
  else if std.isArray(v) then
    std.join('\n', [
      if std.isObject(x) && !empty(x)
      then node(x, indent + '  ', indent + '- ')
      else indent + '- ' + scalar(x, indent + '  ')
      for x in v
    ])
  else first + scalar(v, indent);

{
  manifest(doc):: node(doc, '', '') + '\n',
}
