{#- The required columns of a model, in one test: fails with a row per column that holds
    nulls (column_name, null_rows). One scan and one dbt node per model instead of one per
    column: the daily build ran 260 column `not_null` tests (now 66 of these), each costing
    dbt ~30 ms of its own work and Dagster two events for a query of a few milliseconds
    (docs/benchmarks.md, Daily cycle). A `not_null` with its own config (a `where`, a
    severity) stays a column test, as do those of columns shared through YAML anchors. -#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_rows_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select '{{ column }}' as column_name, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
