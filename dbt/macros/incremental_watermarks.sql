{#- Incremental models find what a run must redo by comparing a bookkeeping timestamp
    (_loaded_at, _watermark) with the latest one already stored. Compared with a subquery,
    `where _loaded_at > (select max(_loaded_at) from this)`, the engine scans the whole source
    and filters afterwards; with the stored value read first and written into the SQL as a
    literal, the scan skips every block whose statistics say it holds nothing newer (DuckDB
    zone maps, Parquet row-group statistics): all that was loaded before the last run.
    Returns a SQL timestamp literal, or a null timestamp when the relation is empty (then the
    comparison selects nothing, as the subquery would). `where` limits the rows read. -#}
{% macro stored_watermark(relation, column, where=none) -%}
    {%- if not execute -%}
        {{ return(stored_watermark_none()) }}
    {%- endif -%}
    {%- set result = run_query(
        'select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation
        ~ (' where ' ~ where if where else '')
    ) -%}
    {%- set value = result.columns[0].values()[0] -%}
    {%- if value is none -%}
        {{ return(stored_watermark_none()) }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as timestamp)") }}
{%- endmacro %}

{#- The days (`day_column`) of the rows of `source_relation` written since this model's last
    run (`watermark_column` newer than the one this model stored): the days an incremental
    model that is keyed by day rebuilds whole. -#}
{% macro days_changed_since_last_run(source_relation, day_column, watermark_column) -%}
    select distinct {{ day_column }}
    from {{ source_relation }}
    where {{ watermark_column }} > {{ stored_watermark(this, watermark_column) }}
        and {{ day_column }} is not null
{%- endmacro %}

{#- The start time of this dbt invocation as a SQL timestamp: the same for every row a run
    writes, later than every earlier run's. -#}
{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- For models rebuilt whole from a rarely changing source (the catalogue): in an incremental
    run, whether `relation` holds rows newer (`column`) than the watermark this model stored
    (`watermark_column`); when it does not, the model selects nothing and keeps its rows.
    Always true when building in full or when nothing is stored yet. -#}
{% macro has_rows_since_last_run(relation, column, watermark_column='_watermark') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set stored = stored_watermark(this, watermark_column) -%}
    {%- if stored == stored_watermark_none() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set result = run_query(
        'select count(*) from ' ~ relation ~ ' where ' ~ column ~ ' > ' ~ stored
    ) -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- What stored_watermark returns for an empty relation. -#}
{% macro stored_watermark_none() -%}
    {{ return('cast(null as timestamp)') }}
{%- endmacro %}
