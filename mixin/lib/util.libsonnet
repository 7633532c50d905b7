// Small text helpers shared by the alerts and the boards.
{
  // A threshold as PromQL and people write it: 30000000, 0.01 (jsonnet's own rendering of a
  // double has 17 digits).
  num(x):: if std.isString(x) then x else if std.floor(x) == x then '%d' % x else '%g' % x,

  // Every threshold of a config section rendered by num, for %(name)s formatting.
  nums(section):: { [k]: $.num(section[k]) for k in std.objectFields(section) },

  // A paragraph written over several lines of a text block, as one line.
  oneLine(text)::
    std.join(' ', std.filter(function(w) w != '',
                             std.split(std.strReplace(text, '\n', ' '), ' '))),

  trim(text):: std.stripChars(text, ' \n'),
}
