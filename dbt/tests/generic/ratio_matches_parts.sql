{#- A stored rate must equal numerator / denominator (null when the denominator is zero), so
    that roll-ups from the stored parts agree with the published ratio. Without arguments, the
    parts are the metric registry's for the column (a registry metric's code). A share
    (bounded, the default) also has 0 <= numerator <= denominator; an average (transfers per
    order, seconds per answered call) only a non-negative numerator. -#}
{% test ratio_matches_parts(model, column_name, numerator=none, denominator=none, bounded=true) %}

{%- if numerator is none or denominator is none -%}
    {%- set metric = registry_metric(column_name) -%}
    {%- set numerator = metric.numerator -%}
    {%- set denominator = metric.denominator -%}
{%- endif %}

select *
from {{ model }}
where not (
    ({{ denominator }} = 0 and {{ column_name }} is null)
    or abs({{ column_name }} - cast({{ numerator }} as double) / ({{ denominator }})) < 1e-9
)
    {%- if bounded %}
    or {{ numerator }} > {{ denominator }}
    {%- endif %}
    or {{ numerator }} < 0

{% endtest %}
