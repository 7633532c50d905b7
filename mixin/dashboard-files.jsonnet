// The boards rendered from the mixin, by path from the repository's root (run by
// mixin/generate.sh: jsonnet -m).
local mixin = import 'mixin.libsonnet';

{
  ['grafana/dashboards/%s' % name]: mixin.grafanaDashboards[name]
  for name in std.objectFields(mixin.grafanaDashboards)
}
