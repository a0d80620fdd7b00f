#!/usr/bin/env python3
"""Writes dashboards/orleansedge.json. Edit the panels here, then run: python3 observability/grafana/dashboard.py"""
import json, os

D = '{distribution=~"$distribution"}'
DH = '{distribution=~"$distribution",result=~"hit|refresh_hit"}'
panels, y = [], 0


def row(title):
    global y
    panels.append({"type": "row", "title": title, "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
    y += 1


def panel(title, description, targets, kind="timeseries", unit="short", w=8, h=8, x=0, newline=False):
    global y
    panels.append({
        "type": kind, "title": title, "description": description,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "gridPos": {"h": h, "w": w, "x": x, "y": y},
        "targets": [{"refId": chr(65 + i), "expr": expr, "legendFormat": legend,
                     "datasource": {"type": "prometheus", "uid": "${datasource}"}} for i, (expr, legend) in enumerate(targets)],
    })
    if newline or x + w >= 24:
        y += h


def quantiles(metric, selector, by=""):
    return [(f'histogram_quantile({q}, sum by (le{by}) (rate({metric}_bucket{selector}[$__rate_interval])))', f"P{int(q * 100)}")
            for q in (0.5, 0.95, 0.99)]


row("Traffic")
panel("Hit ratio", "Share of viewer requests answered from the cache (Hit and RefreshHit).",
      [(f'sum(rate(orleansedge_viewer_requests_total{DH}[$__rate_interval])) / sum(rate(orleansedge_viewer_requests_total{D}[$__rate_interval]))', "hit ratio")],
      kind="stat", unit="percentunit", w=6, x=0)
panel("Origin offload", "Share of body bytes served without an origin request.",
      [(f'sum(rate(orleansedge_viewer_bytes_total{{distribution=~"$distribution",source="cache"}}[$__rate_interval])) / sum(rate(orleansedge_viewer_bytes_total{D}[$__rate_interval]))', "offload")],
      kind="stat", unit="percentunit", w=6, x=6)
panel("Requests by result", "Viewer requests per second, by X-Cache result.",
      [(f'sum by (result) (rate(orleansedge_viewer_requests_total{D}[$__rate_interval]))', "{{result}}")],
      unit="reqps", w=12, x=12)
panel("Hit ratio over time", "Hit ratio per distribution.",
      [('sum by (distribution) (rate(orleansedge_viewer_requests_total{result=~"hit|refresh_hit",distribution=~"$distribution"}[$__rate_interval])) '
        f'/ sum by (distribution) (rate(orleansedge_viewer_requests_total{D}[$__rate_interval]))', "{{distribution}}")],
      unit="percentunit", w=12, x=0)
panel("Origin fetches by result", "Requests object grains made to origins: ok, not_modified, origin_error, timeout, unreachable, too_large.",
      [('sum by (result) (rate(orleansedge_origin_fetches_total[$__rate_interval]))', "{{result}}")],
      unit="reqps", w=12, x=12)

row("Invalidation")
panel("Propagation time (P50 / P95 / P99)", "From accepting an invalidation to the last matching object no longer served.",
      quantiles("orleansedge_invalidation_propagation_duration_seconds", D), unit="s", w=12, x=0)
panel("Invalidations completed", "Invalidations reaching Completed per second, by distribution.",
      [(f'sum by (distribution) (rate(orleansedge_invalidations_completed_total{D}[$__rate_interval]))', "{{distribution}}")],
      unit="ops", w=6, x=12)
panel("In progress", "Invalidations still propagating.",
      [(f'sum(orleansedge_invalidations_in_progress{D})', "in progress")], kind="stat", w=6, x=18)
panel("Items accepted by kind", "Invalidation items per second: tag, path, prefix.",
      [(f'sum by (kind) (rate(orleansedge_invalidation_items_accepted_total{D}[$__rate_interval]))', "{{kind}}")],
      unit="ops", w=12, x=0)
panel("Objects invalidated", "Cached objects removed or marked stale per second.",
      [(f'sum(rate(orleansedge_invalidation_objects_total{D}[$__rate_interval]))', "objects")],
      unit="ops", w=12, x=12)

row("Latency")
panel("Viewer latency", "Time to answer a viewer request.",
      quantiles("orleansedge_viewer_request_duration_seconds", D), unit="s", w=12, x=0)
panel("Origin fetch latency", "Time for an object grain to fetch from the origin.",
      quantiles("orleansedge_origin_fetch_duration_seconds", ""), unit="s", w=12, x=12)

row("Nodes")
panel("Requests per gateway", "Viewer requests per second on each gateway.",
      [('sum by (instance) (rate(orleansedge_viewer_requests_total[$__rate_interval]))', "{{instance}}")], unit="reqps", w=8, x=0)
panel("Cached objects per silo", "Objects whose copy each silo holds.",
      [('sum by (instance) (orleansedge_cache_objects)', "{{instance}}")], w=8, x=8)
panel("Cached bytes per silo", "Body bytes held by each silo.",
      [('sum by (instance) (orleansedge_cache_size_bytes)', "{{instance}}")], unit="bytes", w=8, x=16)
panel("Memory per process", "Working set of every gateway and silo process.",
      [('sum by (job, instance) (dotnet_process_memory_working_set_bytes)', "{{job}} {{instance}}")], unit="bytes", w=8, x=0)
panel("Tags", "Tags carried by cached objects (summed over silos), and their memberships.",
      [('sum(orleansedge_tags_tracked)', "tags"), ('sum(orleansedge_tags_memberships)', "memberships")], w=8, x=8)
panel("Invalid tags and evictions", "Tags ignored by the rules, and copies dropped without an invalidation.",
      [('sum(rate(orleansedge_tags_invalid_total[$__rate_interval]))', "invalid tags"),
       ('sum by (reason) (rate(orleansedge_cache_evictions_total[$__rate_interval]))', "evicted ({{reason}})")], unit="ops", w=8, x=16)

row("Orleans internals")
panel("Activations per silo", "Grain activations on each silo.",
      [('sum by (instance) (orleans_catalog_activations)', "{{instance}}")], w=8, x=0)
panel("Grains by type", "Live grains by type, across the cluster.",
      [('sum by (grain_type) (orleans_grains)', "{{grain_type}}")], w=8, x=8)
panel("Grain calls", "Requests dispatched per second on each silo, and the P99 grain-call latency seen by callers.",
      [('sum by (instance) (rate(orleans_messaging_processing_dispatcher_processed_total[$__rate_interval]))', "{{instance}}"),
       ('histogram_quantile(0.99, sum by (le) (rate(orleans_app_requests_latency_milliseconds_bucket[$__rate_interval]))) / 1000', "call P99 (s)")],
      w=8, x=16)

dashboard = {
    # Importable as is (Dashboards > New > Import) into Grafana 10 or later: panels name no data source of this
    # installation, only the "datasource" variable, which offers every Prometheus data source the importer has.
    "__requires": [
        {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
        {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
    ] + [{"type": "panel", "id": kind, "name": kind, "version": ""} for kind in sorted({p["type"] for p in panels if p["type"] != "row"})],
    "id": None,
    "uid": "orleansedge", "title": "OrleansEdge", "tags": ["orleansedge", "cdn"], "timezone": "utc",
    "schemaVersion": 39, "version": 1, "editable": True, "refresh": "10s",
    "time": {"from": "now-30m", "to": "now"},
    "templating": {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "current": {}},
        {"name": "distribution", "label": "Distribution", "type": "query",
         "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "query": {"query": "label_values(orleansedge_viewer_requests_total, distribution)", "refId": "distribution"},
         "definition": "label_values(orleansedge_viewer_requests_total, distribution)",
         "includeAll": True, "allValue": ".*", "multi": True, "refresh": 2, "current": {"text": "All", "value": "$__all"}},
    ]},
    "panels": panels,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards", "orleansedge.json")
with open(path, "w") as f:
    json.dump(dashboard, f, indent=2)
    f.write("\n")
print(f"wrote {path}: {sum(1 for p in panels if p['type'] != 'row')} panels")
