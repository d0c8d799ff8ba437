{#- A stored rate must equal numerator / denominator (null when the denominator is zero), so
    that roll-ups from the stored parts agree with the published ratio. Without arguments, the
    parts are the metric registry's for the column (a registry metric's code). -#}
{% test ratio_matches_parts(model, column_name, numerator=none, denominator=none) %}

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
    or {{ numerator }} > {{ denominator }}
    or {{ numerator }} < 0

{% endtest %}
