{#- Case arrivals (申报量) per submission day, department and channel group — the series the
    planners forecast. Every submitted case counts, whatever became of it. Days without any
    arrival are absent (a zero). -#}

with cases as (

    select * from {{ ref('fct_cases') }}

)

select
    cases.submission_date,
    cases.department_code,
    case when cases.is_online_submission then 'online' else 'hall' end as channel_group,
    cast(count(*) as bigint) as arrivals
from cases
group by 1, 2, 3
