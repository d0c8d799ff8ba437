{#- The metric registry as a table (var metric_registry in dbt_project.yml): what the CLI, the bulletin and
    the dashboards' datasets read to select, name, order and format metrics. -#}

{%- set metrics = metric_registry() -%}

with registry as (

    {%- for metric in metrics %}
    select
        {{ sql_literal(metric.metric_code) }} as metric_code,
        {{ sql_literal(metric.metric_name_zh) }} as metric_name_zh,
        {{ sql_literal(metric.metric_name_en) }} as metric_name_en,
        {{ sql_literal(metric.metric_kind) }} as metric_kind,
        {{ sql_literal(metric.higher_is_better) }} as higher_is_better,
        {{ sql_literal(metric.source_mart) }} as source_mart,
        {{ sql_literal(metric.numerator) }} as numerator_sql,
        {{ sql_literal(metric.denominator) }} as denominator_sql,
        {{ sql_literal(metric.unit) }} as unit,
        {{ sql_literal(metric.display_format) }} as display_format,
        cast({{ sql_literal(metric.ranking_weight) }} as double) as ranking_weight,
        {{ sql_literal('cli_headline' in metric.shown_in) }} as shown_in_cli_headline,
        {{ sql_literal('bulletin' in metric.shown_in) }} as shown_in_bulletin,
        {{ sql_literal('bulletin_trend' in metric.shown_in) }} as shown_in_bulletin_trend,
        {{ sql_literal('cockpit' in metric.shown_in) }} as shown_in_cockpit,
        {{ sql_literal('public' in metric.shown_in) }} as shown_in_public,
        {{ metric.display_order }} as display_order,
        {{ sql_literal(metric.description) }} as description,
        {{ sql_literal(metric.definition_hash) }} as definition_hash
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from registry
