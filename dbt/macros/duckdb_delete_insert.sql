{#- delete+insert on DuckDB with a compound unique_key (the period marts: period grain and
    start; mart_metric_values: metric, grain and start). dbt-duckdb deletes with
    `delete ... using <batch> where <keys equal>`, a join of every target row of a key with
    every batch row of it: a year of a period mart holds tens of thousands of rows on both
    sides, so the join, not the delete, took seconds. Here the batch's distinct keys are
    semi-joined instead (each target row is looked up once). A single-column key and
    incremental_predicates behave as in dbt-duckdb. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if unique_key is sequence and unique_key is not string -%}
        {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
        delete from {{ target }} as dbt_incremental_target
        where exists (
            select 1
            from (select distinct {{ unique_key | join(', ') }} from {{ source }}) as batch_keys
            where
                {%- for key in unique_key %}
                batch_keys.{{ key }} = dbt_incremental_target.{{ key }}
                {%- if not loop.last %} and{% endif %}
                {%- endfor %}
        )
        {%- for predicate in incremental_predicates or [] %}
            and {{ predicate }}
        {%- endfor %};

        insert into {{ target }} ({{ dest_cols_csv }})
        (
            select {{ dest_cols_csv }}
            from {{ source }}
        )
    {%- else -%}
        {{ return(dbt.duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
    {%- endif -%}
{%- endmacro %}
