{#- A stored rate must equal numerator / denominator (null when the denominator is zero), so
    that roll-ups from the stored parts agree with the published ratio. -#}
{% test ratio_matches_parts(model, column_name, numerator, denominator) %}

select *
from {{ model }}
where not (
    ({{ denominator }} = 0 and {{ column_name }} is null)
    or abs({{ column_name }} - cast({{ numerator }} as double) / {{ denominator }}) < 1e-9
)
    or {{ numerator }} > {{ denominator }}
    or {{ numerator }} < 0

{% endtest %}
