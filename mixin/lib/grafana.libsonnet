// Panel, board and layout helpers for the edgewatch boards: every query selects on the
// board's variables, every panel has a unit, stats read "no data" rather than a healthy 0.
{
  datasource:: { type: 'prometheus', uid: '${datasource}' },

  // Threshold steps: green below the first value, then each colour from its value on.
  steps(pairs):: {
    mode: 'absolute',
    steps: [{ color: 'green', value: null }] + [{ color: p[1], value: p[0] } for p in pairs],
  },

  // A stat whose value is missing or NaN reads "no data" on grey, never as the green of a
  // healthy 0: an absent series means edgewatch (or the input) is not seen, not that all is
  // well.
  local noData = {
    type: 'special',
    options: { match: 'null+nan', result: { text: 'no data', color: '#8e8e8e' } },
  },

  local reduceLast = { calcs: ['lastNotNull'], fields: '', values: false },

  local options = {
    stat: {
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value',
      reduceOptions: reduceLast,
      justifyMode: 'center',
    },
    timeseries: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    table: { showHeader: true },
    bargauge: { orientation: 'horizontal', displayMode: 'basic', reduceOptions: reduceLast },
  },

  // exprs: one query or a list; each query a string (legend from `legend`) or [expr, legend].
  panel(kind, title, exprs, unit, w, h, thresholds=null, legend='', description='', instant=false)::
    local queries = if std.isArray(exprs) then exprs else [exprs];
    {
      type: kind,
      title: title,
      description: description,
      datasource: $.datasource,
      targets: [
        local q = queries[i];
        {
          datasource: $.datasource,
          expr: if std.isArray(q) then q[0] else q,
          legendFormat: if std.isArray(q) then q[1] else legend,
          refId: std.char(std.codepoint('A') + i),
          instant: instant,
          range: !instant,
        }
        for i in std.range(0, std.length(queries) - 1)
      ],
      fieldConfig: {
        defaults: { unit: unit }
                  + (if thresholds != null then { thresholds: thresholds, color: { mode: 'thresholds' } } else {})
                  + (if kind == 'stat' then { noValue: 'no data', mappings: [noData] } else {}),
        overrides: [],
      },
      gridPos: { w: w, h: h },
      options: options[kind],
    },

  row(title):: { type: 'row', title: title, collapsed: false, panels: [], gridPos: { w: 24, h: 1 } },

  stat(title, expr, unit, thresholds, w=4, h=5, description='')::
    $.panel('stat', title, expr, unit, w, h, thresholds, description=description),

  series(title, exprs, unit, legend, w=12, h=8, description='')::
    $.panel('timeseries', title, exprs, unit, w, h, legend=legend, description=description),

  // Places panels left to right, wrapping at 24 columns; rows take a line of their own.
  layout(panels)::
    local place(state, p) =
      local wrap = p.type == 'row' || state.x + p.gridPos.w > 24;
      local x = if wrap then 0 else state.x;
      local y = if wrap then state.y + state.line else state.y;
      local line = if wrap then 0 else state.line;
      local placed = p { id: std.length(state.out) + 1, gridPos+: { x: x, y: y } };
      if p.type == 'row'
      then { x: 0, y: y + p.gridPos.h, line: 0, out: state.out + [placed] }
      else { x: x + p.gridPos.w, y: y, line: std.max(line, p.gridPos.h), out: state.out + [placed] };
    std.foldl(place, panels, { x: 0, y: 0, line: 0, out: [] }).out,

  local link(title, url) = {
    title: title,
    type: 'link',
    url: url,
    icon: 'dashboard',
    includeVars: true,
    keepTime: true,
    targetBlank: false,
    tooltip: '',
    asDropdown: false,
    tags: [],
  },

  // The datasource, job and edge-host variables every board has, listed from `metric`.
  local variables(metric) = {
    list: [
      {
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        query: 'prometheus',
        current: {},
        hide: 0,
        refresh: 1,
      },
      {
        name: 'job',
        label: 'Job',
        type: 'query',
        datasource: $.datasource,
        query: { query: 'label_values(%s, job)' % metric, refId: 'job' },
        definition: 'label_values(%s, job)' % metric,
        refresh: 2,
        includeAll: false,
        multi: false,
        current: { text: 'edgewatch', value: 'edgewatch' },
        hide: 0,
        sort: 1,
      },
      {
        name: 'instance',
        label: 'Edge host',
        type: 'query',
        datasource: $.datasource,
        query: { query: 'label_values(%s{job=~"$job"}, instance)' % metric, refId: 'instance' },
        definition: 'label_values(%s{job=~"$job"}, instance)' % metric,
        refresh: 2,
        includeAll: true,
        multi: true,
        allValue: '.+',
        current: { text: 'All', value: '$__all' },
        hide: 0,
        sort: 1,
      },
    ],
  },

  // A board linking to the overview; the overview (linksTo: [[uid, title], ...]) links to
  // the drill-down boards instead.
  board(uid, title, tags, panels, variableMetric, refresh='30s', linksTo=[]):: {
    uid: uid,
    title: title,
    tags: ['edgewatch'] + tags,
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: refresh,
    time: { from: 'now-6h', to: 'now' },
    templating: variables(variableMetric),
    annotations: { list: [] },
    links: if uid == 'edgewatch-overview'
    then [link(l[1], '/d/' + l[0]) for l in linksTo]
    else [link('Edge security overview', '/d/edgewatch-overview')],
    panels: $.layout(panels),
  },
}
