{#- The metric registry (var metric_registry in dbt_project.yml) and what is generated from
    it: dim_metric, the period marts' ratio columns, mart_metric_values, the ranking. -#}

{#- Every metric of the registry, in registry order, with display_order and its
    definition_hash (md5 of source mart, numerator and denominator) added. -#}
{% macro metric_registry() -%}
    {%- set metrics = [] -%}
    {%- for metric in var('metric_registry') -%}
        {%- set entry = {} -%}
        {%- do entry.update(metric) -%}
        {%- do entry.update({
            'display_order': loop.index,
            'definition_hash': local_md5(
                metric.source_mart ~ '|' ~ metric.numerator ~ '|' ~ metric.denominator
            ),
        }) -%}
        {%- do metrics.append(entry) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}

{#- The registry's metrics computed from one mart (all when source_mart is none). -#}
{% macro registry_metrics(source_mart=none) -%}
    {%- set selected = [] -%}
    {%- for metric in metric_registry() -%}
        {%- if source_mart is none or metric.source_mart == source_mart -%}
            {%- do selected.append(metric) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(selected) }}
{%- endmacro %}

{% macro registry_metric(metric_code) -%}
    {%- for metric in metric_registry() if metric.metric_code == metric_code -%}
        {{ return(metric) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('metric ' ~ metric_code ~ ' is not in the registry') }}
{%- endmacro %}

{#- A metric's value over the columns of its source mart: numerator / denominator (null when
    the denominator is 0). In the period marts: {{ metric_ratio('on_time_rate') }} as on_time_rate -#}
{% macro metric_ratio(metric_code) -%}
    {%- set metric = registry_metric(metric_code) -%}
    {{ safe_ratio(metric.numerator, metric.denominator) }}
{%- endmacro %}

{#- One hash over the definitions of the metrics a mart computes: stored in its rows as
    _definition_hash, so that a run after a definition changed recomputes every period. -#}
{% macro metric_definitions_hash(source_mart) -%}
    {%- set hashes = [] -%}
    {%- for metric in registry_metrics(source_mart) -%}
        {%- do hashes.append(metric.metric_code ~ '=' ~ metric.definition_hash) -%}
    {%- endfor -%}
    {{ return(local_md5(hashes | join(','))) }}
{%- endmacro %}

{#- True when the stored rows of `relation` were computed with other definitions than
    `definitions_hash` (checked at execution, in the incremental branch only). -#}
{% macro definitions_changed(relation, definitions_hash) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not has_definition_hash(relation) -%}
        {#- stored before the registry existed: recompute (the column is appended) -#}
        {{ return(true) }}
    {%- endif -%}
    {%- set query -%}
        select count(*) from {{ relation }}
        where _definition_hash is null or _definition_hash <> '{{ definitions_hash }}'
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The metrics whose rows in the long table `relation` were computed with another
    definition (or are missing): the next run recomputes all their periods. -#}
{% macro metrics_with_changed_definitions(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set stored = {} -%}
    {%- if not has_definition_hash(relation) -%}
        {{ return(metric_registry() | map(attribute='metric_code') | list) }}
    {%- endif -%}
    {%- set query -%}
        select metric_code, max(_definition_hash), count(distinct _definition_hash)
        from {{ relation }} group by metric_code
    {%- endset -%}
    {%- for row in run_query(query).rows -%}
        {%- do stored.update({row[0]: (row[1] if row[2] == 1 else none)}) -%}
    {%- endfor -%}
    {%- set changed = [] -%}
    {%- for metric in metric_registry() -%}
        {%- if stored.get(metric.metric_code) != metric.definition_hash -%}
            {%- do changed.append(metric.metric_code) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changed) }}
{%- endmacro %}

{% macro sql_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- An incremental run of a period mart whose stored rows were computed with other metric
    definitions: the run then treats every day as touched and recomputes every period. -#}
{% macro metric_definitions_changed(source_mart) -%}
    {{ return(is_incremental() and definitions_changed(this, metric_definitions_hash(source_mart))) }}
{%- endmacro %}

{#- Every day of the calendar, as "touched days" when every period is to be recomputed. -#}
{% macro all_calendar_days() -%}
    {{ return('select calendar_date from ' ~ ref('dim_date')) }}
{%- endmacro %}

{#- Whether the stored table has the definition-hash column (tables built before the
    registry do not: their definitions are unknown, so they are recomputed). -#}
{% macro has_definition_hash(relation) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return('_definition_hash' in columns) }}
{%- endmacro %}

{#- The order that puts the target in force on `period_start` first: the first target due on
    or after it, else the last one due before it. For `row_number() over (... order by ...)`;
    shared by the bulletin's headline and the cockpit's cards. -#}
{% macro target_in_force_order(due_date, period_start) -%}
    case when {{ due_date }} >= {{ period_start }} then 0 else 1 end,
    case when {{ due_date }} >= {{ period_start }} then {{ due_date }} end,
    {{ due_date }} desc
{%- endmacro %}
