{#- A summary with a total row (合计): unless the summary is empty (nothing to summarise, as
    the outbox without case logs), there is exactly one row flagged `total_flag`, and its
    `sum_columns` are the sums of the other rows' (0 without any), its `max_columns` their
    maximum. Fails with the total row as it is and as it should be. -#}
{% test total_row_sums_parts(model, total_flag, sum_columns, max_columns=[]) %}

with part_sums as (

    select
        {%- for column in sum_columns %}
        coalesce(sum({{ column }}), 0) as {{ column }},
        {%- endfor %}
        {%- for column in max_columns %}
        max({{ column }}) as {{ column }},
        {%- endfor %}
        1 as expected_total_rows
    from {{ model }}
    where not {{ total_flag }}

),

total_rows as (

    select
        {%- for column in sum_columns + max_columns %}
        max({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as expected_total_rows
    from {{ model }}
    where {{ total_flag }}

),

compared as (

    select 'total row' as row_kind, * from total_rows
    union all
    select 'sum of the parts' as row_kind, * from part_sums

)

select *
from compared
where exists (select 1 from {{ model }})
and exists (
    select
        {%- for column in sum_columns + max_columns %}
        {{ column }},
        {%- endfor %}
        expected_total_rows
    from total_rows
    except
    select
        {%- for column in sum_columns + max_columns %}
        {{ column }},
        {%- endfor %}
        expected_total_rows
    from part_sums
)

{% endtest %}
