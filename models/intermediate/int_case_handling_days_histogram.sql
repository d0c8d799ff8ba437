{#- How many completed cases took each number of working days, per completion day, item,
    channel, department and region: the additive form of the handling-time distribution, from
    which any roll-up reads exact percentiles. -#}

with completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed and elapsed_working_days is not null

)

select
    completion_date,
    item_code,
    channel,
    department_code,
    region_code,
    elapsed_working_days,
    cast(count(*) as bigint) as cases
from completed_cases
group by completion_date, item_code, channel, department_code, region_code, elapsed_working_days
