{#- Cross-database helpers: the models call these instead of engine-specific syntax, so the same
    models run on DuckDB today and Spark later. Each dispatches on the adapter. -#}

{#- ISO day of week: Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'govwh')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    ((dayofweek({{ date_expr }}) + 5) % 7 + 1)
{%- endmacro %}

{#- Truncate a date or timestamp to the first day of its month / ISO week, as a date. -#}
{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{% macro week_start(date_expr) -%}
    cast({{ dbt.date_trunc('week', date_expr) }} as date)
{%- endmacro %}

{#- A ratio that is null, not an error, when the denominator is zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 or ({{ denominator }}) is null then null
        else cast({{ numerator }} as double) / ({{ denominator }})
    end
{%- endmacro %}

{#- Quote a list of strings as a SQL list literal: ('a', 'b'). -#}
{% macro sql_string_list(values) -%}
    ({%- for value in values -%}'{{ value }}'{%- if not loop.last -%}, {% endif -%}{%- endfor -%})
{%- endmacro %}

{#- Minutes between two timestamps, fractional, from whole seconds (a double on every engine:
    Spark would otherwise divide as a decimal rounded to six places). -#}
{% macro minutes_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('minutes_between', 'govwh')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__minutes_between(start_expr, end_expr) -%}
    ({{ dbt.datediff(start_expr, end_expr, 'second') }} / 60.0)
{%- endmacro %}

{% macro spark__minutes_between(start_expr, end_expr) -%}
    (cast(unix_timestamp({{ end_expr }}) - unix_timestamp({{ start_expr }}) as double) / 60)
{%- endmacro %}

{#- Hour of day 0..23 of a timestamp. -#}
{% macro hour_of_day(timestamp_expr) -%}
    cast(extract(hour from {{ timestamp_expr }}) as integer)
{%- endmacro %}

{% macro year_start(date_expr) -%}
    cast({{ dbt.date_trunc('year', date_expr) }} as date)
{%- endmacro %}

{#- Labels of a month and an ISO week as the reports name them: 2019-06 and 2019-W23. The ISO
    year and week number are those of the week's Thursday (ISO 8601: week 1 holds the year's
    first Thursday), computed from its day of the year, so every engine labels alike. -#}
{% macro month_label(month_start_expr) -%}
    {{ dbt.concat([
        "cast(extract(year from " ~ month_start_expr ~ ") as " ~ dbt.type_string() ~ ")",
        "'-'",
        "lpad(cast(extract(month from " ~ month_start_expr ~ ") as " ~ dbt.type_string() ~ "), 2, '0')",
    ]) }}
{%- endmacro %}

{% macro iso_week_label(week_start_expr) -%}
    {%- set thursday = "cast(" ~ dbt.dateadd('day', 3, week_start_expr) ~ " as date)" -%}
    {%- set day_of_year = dbt.datediff(year_start(thursday), thursday, 'day') -%}
    {{ dbt.concat([
        "cast(extract(year from " ~ thursday ~ ") as " ~ dbt.type_string() ~ ")",
        "'-W'",
        "lpad(cast(cast(floor((" ~ day_of_year ~ ") / 7) + 1 as integer) as " ~ dbt.type_string() ~ "), 2, '0')",
    ]) }}
{%- endmacro %}

{#- Seconds between two timestamps, whole, as an integer on every engine. -#}
{% macro seconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('seconds_between', 'govwh')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expr, end_expr) -%}
    {{ dbt.datediff(start_expr, end_expr, 'second') }}
{%- endmacro %}

{% macro spark__seconds_between(start_expr, end_expr) -%}
    (unix_timestamp({{ end_expr }}) - unix_timestamp({{ start_expr }}))
{%- endmacro %}

{#- The last second of a day (23:59:59) as a timestamp: a deadline "by the end of the day". -#}
{% macro end_of_day(date_expr) -%}
    {{ return(adapter.dispatch('end_of_day', 'govwh')(date_expr)) }}
{%- endmacro %}

{% macro default__end_of_day(date_expr) -%}
    cast({{ dbt.dateadd('second', 86399, 'cast(' ~ date_expr ~ ' as timestamp)') }} as timestamp)
{%- endmacro %}

{% macro spark__end_of_day(date_expr) -%}
    timestamp_seconds(unix_timestamp(cast({{ date_expr }} as timestamp)) + 86399)
{%- endmacro %}

{#- True when a text matches a regular expression anywhere (RE2 on DuckDB, Java on Spark: keep
    patterns to the common subset: classes, alternation, quantifiers). -#}
{% macro regexp_contains(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'govwh')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_contains(text_expr, pattern) -%}
    regexp_matches({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_contains(text_expr, pattern) -%}
    ({{ text_expr }} rlike '{{ pattern }}')
{%- endmacro %}

{#- True when a text contains any of the phrases (plain substrings, no pattern), false for an
    empty list; null text is false. -#}
{% macro contains_any(text_expr, phrases) -%}
    {%- if phrases | length == 0 -%}
    false
    {%- else -%}
    coalesce(
        {%- for phrase in phrases %}
        {{ dbt.position("'" ~ phrase ~ "'", text_expr) }} > 0{% if not loop.last %} or{% endif %}
        {%- endfor %}
    , false)
    {%- endif -%}
{%- endmacro %}

{#- The first of the phrases a text contains (list order), null when none. -#}
{% macro first_phrase_found(text_expr, phrases) -%}
    {%- if phrases | length == 0 -%}
    cast(null as {{ dbt.type_string() }})
    {%- else -%}
    case
        {%- for phrase in phrases %}
        when {{ dbt.position("'" ~ phrase ~ "'", text_expr) }} > 0 then '{{ phrase }}'
        {%- endfor %}
    end
    {%- endif -%}
{%- endmacro %}
