// The edgewatch monitoring mixin: prometheusAlerts, prometheusRules and grafanaDashboards,
// configured by _config (config.libsonnet). rules/, grafana/dashboards/ and
// deploy/kubernetes/prometheusrule.yaml are rendered from it by mixin/generate.sh.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet') +
(import 'dashboards.libsonnet')
