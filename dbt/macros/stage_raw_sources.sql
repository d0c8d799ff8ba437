{#- The raw tables a Spark target reads: external tables over the landed Parquet.

    On DuckDB, ingestion writes the raw schema itself, so there is nothing to do. On Spark, raw
    data lands as Parquet in a folder or bucket (one sub-folder per source table, optionally
    Hive-partitioned, e.g. service_items/snapshot_date=2019-06-01/part-0.parquet), and this
    operation (re)registers every source of models/staging/_sources.yml (the sources in the raw
    schema, and the city configuration in schema city, landed under `<raw_dir>/city/`; not
    ops.*, which the pipeline writes itself) as an external table `<schema>.<identifier>` over
    `<raw_dir>/<identifier>` (`<raw_dir>/city/<identifier>`), before `dbt build`:

        dbt run-operation stage_raw_sources --target spark --args '{raw_dir: s3a://bucket/raw}'

    raw_dir defaults to the env var GOVWH_SPARK_RAW_DIR. Dropping an external table keeps its
    files; a managed table of the same name is refused rather than dropped (its data would go).
    Partitioned folders get their partitions registered (msck repair table). -#}

{% macro stage_raw_sources(raw_dir=none) %}
    {{ return(adapter.dispatch('stage_raw_sources', 'govwh')(raw_dir)) }}
{% endmacro %}

{% macro default__stage_raw_sources(raw_dir) %}
    {{ log('stage_raw_sources: nothing to do on ' ~ target.type ~ ' (ingestion writes the raw tables)', info=true) }}
{% endmacro %}

{% macro spark__stage_raw_sources(raw_dir) %}
    {%- set raw_dir = raw_dir or env_var('GOVWH_SPARK_RAW_DIR', '') -%}
    {%- if not raw_dir -%}
        {{ exceptions.raise_compiler_error("stage_raw_sources: pass raw_dir or set GOVWH_SPARK_RAW_DIR") }}
    {%- endif -%}
    {#- the landed sources and the city configuration: ops.* are tables the pipeline writes itself -#}
    {%- for source in graph.sources.values()
        | selectattr('package_name', 'equalto', project_name)
        | selectattr('schema', 'in', ['raw', 'city']) -%}
        {%- set table_name = source.schema ~ '.' ~ source.identifier -%}
        {%- set folder = raw_dir.rstrip('/') ~ ('/city' if source.schema == 'city' else '') -%}
        {%- set location = folder ~ '/' ~ source.identifier -%}
        {% do run_query('create database if not exists ' ~ source.schema) %}
        {%- set existing = adapter.get_relation(database=none, schema=source.schema, identifier=source.identifier) -%}
        {%- if existing is not none -%}
            {%- if spark_table_property(table_name, 'Type') != 'EXTERNAL' -%}
                {{ exceptions.raise_compiler_error("stage_raw_sources: " ~ table_name ~ " is not an external table; drop it yourself if its data may go") }}
            {%- endif -%}
            {% do run_query('drop table ' ~ table_name) %}
        {%- endif -%}
        {% do run_query("create table " ~ table_name ~ " using parquet location '" ~ location ~ "'") %}
        {%- if spark_table_property(table_name, '# Partition Information') is not none -%}
            {% do run_query('msck repair table ' ~ table_name) %}
        {%- endif -%}
        {{ log('stage_raw_sources: ' ~ table_name ~ ' -> ' ~ location, info=true) }}
    {%- endfor -%}
{% endmacro %}

{#- The value of one row of `describe table extended` (none when the row is absent). -#}
{% macro spark_table_property(table_name, property) %}
    {%- for row in run_query('describe table extended ' ~ table_name) -%}
        {%- if row[0] == property -%}
            {{ return(row[1]) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}
