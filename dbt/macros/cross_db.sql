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
        when {{ denominator }} = 0 or {{ denominator }} is null then null
        else cast({{ numerator }} as double) / {{ denominator }}
    end
{%- endmacro %}

{#- Quote a list of strings as a SQL list literal: ('a', 'b'). -#}
{% macro sql_string_list(values) -%}
    ({%- for value in values -%}'{{ value }}'{%- if not loop.last -%}, {% endif -%}{%- endfor -%})
{%- endmacro %}
