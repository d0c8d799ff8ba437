{#- Unloading a file (`govwh unload`, `govwh load --replace`) deletes raw rows, which an
    incremental run cannot see: its high-water marks only find rows loaded since. So after an
    unload the next build is a full refresh (govwh/warehouse/dbt.py dbt_build_args), and this
    on-run-end hook records a full refresh that rebuilt every incremental model (tables and
    views are rebuilt by every build: only the incremental ones keep rows from before), with
    the latest unload it therefore covers (`covers_unloads_until`, the manifest's own
    clock). Builds after it are incremental again until the next unload. DuckDB only: the load manifest lives there. -#}
{% macro record_full_rebuild(results) -%}
    {%- if execute and target.type == 'duckdb' and flags.FULL_REFRESH -%}
        {%- set built = results
            | selectattr('node.resource_type', 'equalto', 'model')
            | selectattr('node.config.materialized', 'equalto', 'incremental')
            | selectattr('status', 'equalto', 'success')
            | list -%}
        {%- set models = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('config.materialized', 'equalto', 'incremental')
            | list -%}
        {%- if built | length == models | length -%}
            {%- set manifest_has_unloads = run_query(
                "select count(*) from information_schema.columns where table_schema = 'ops' "
                ~ "and table_name = 'load_manifest' and column_name = 'unloaded_at'"
            ).columns[0].values()[0] > 0 -%}
            create table if not exists ops.full_rebuilds (
                invocation_id varchar not null,
                run_started_at_utc timestamp not null,
                covers_unloads_until timestamp
            );
            insert into ops.full_rebuilds values (
                '{{ invocation_id }}',
                {{ run_started_timestamp() }},
                {% if manifest_has_unloads -%}
                    (select max(unloaded_at) from ops.load_manifest)
                {%- else -%}
                    null
                {%- endif %}
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
