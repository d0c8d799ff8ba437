{#- The consultation and complaint metrics (12345 work orders and messages) at day / week /
    month / year grain for the city, each county, department, channel and kind of order,
    with numerators and denominators (the ratios are the registry's, metric_kind
    consultation). Each count is dated by the day its question is decided:
    - received day: orders_received, transfers_total and the late-reply share
      (late_reply_orders over reply_5wd_decided_orders: THE 2017 inspection's measure);
    - the 5-working-day deadline (fct_consultations.reply_5wd_due_date): reply_5wd_rate;
    - the order's own reply deadline (reply_due_date): reply_on_time_rate;
    - the closing day: closure on time, callbacks, solved, ratings.
    An order counts once a verdict exists (the fact's booleans are null before their
    deadline passed, as of the last day of data). County rows include the unknown region
    (a county of the city); department rows include the unknown department.
    Rebuilt whole on every run: a small table (orders are a tenth of the cases), and the
    fact's open orders change their verdicts as days pass. -#}

{%- set combinations = consultation_period_scopes() -%}
{%- set measures = [
    'orders_received', 'transfers_total', 'reply_5wd_decided_orders', 'late_reply_orders',
    'reply_5wd_due_orders', 'replied_within_5wd_orders', 'reply_limit_due_orders',
    'replied_within_limit_orders', 'orders_closed', 'closed_orders_with_deadline',
    'closed_on_time_orders', 'called_back_orders', 'solved_known_orders', 'solved_orders',
    'rated_orders', 'satisfied_ratings'
] -%}
{%- set measure_sums -%}
    {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endset -%}

with calendar_days as (

    select * from {{ ref('dim_date') }}

),

orders as (

    select * from {{ ref('fct_consultations') }}

),

order_events as (

    select
        received_date as event_date,
        region_code,
        department_code,
        channel,
        kind,
        1 as orders_received,
        transfers as transfers_total,
        case when replied_within_5_working_days is not null then 1 else 0 end
            as reply_5wd_decided_orders,
        case when not replied_within_5_working_days then 1 else 0 end as late_reply_orders,
        0 as reply_5wd_due_orders,
        0 as replied_within_5wd_orders,
        0 as reply_limit_due_orders,
        0 as replied_within_limit_orders,
        0 as orders_closed,
        0 as closed_orders_with_deadline,
        0 as closed_on_time_orders,
        0 as called_back_orders,
        0 as solved_known_orders,
        0 as solved_orders,
        0 as rated_orders,
        0 as satisfied_ratings
    from orders
    union all
    select
        reply_5wd_due_date, region_code, department_code, channel, kind,
        0, 0, 0, 0,
        1,
        case when replied_within_5_working_days then 1 else 0 end,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from orders
    where replied_within_5_working_days is not null
    union all
    select
        reply_due_date, region_code, department_code, channel, kind,
        0, 0, 0, 0, 0, 0,
        1,
        case when replied_within_limit then 1 else 0 end,
        0, 0, 0, 0, 0, 0, 0, 0
    from orders
    where replied_within_limit is not null
    union all
    select
        closed_date, region_code, department_code, channel, kind,
        0, 0, 0, 0, 0, 0, 0, 0,
        1,
        case when closed_on_time is not null then 1 else 0 end,
        case when closed_on_time then 1 else 0 end,
        case when is_called_back then 1 else 0 end,
        case when solved is not null then 1 else 0 end,
        case when solved then 1 else 0 end,
        case when rating is not null then 1 else 0 end,
        case when is_satisfied_rating then 1 else 0 end
    from orders
    where closed_date is not null

),

regions as (

    select * from {{ ref('dim_region') }}

),

scope_days as (

    -- each day's sums once per member of each scope published (the city and the county from
    -- the order's region, as dated_parts finds them; the department, channel, kind): the
    -- calendar join and the period × scope groupings then read ~10^5 rows, not ~10^6 events
    {%- set members = {
        'city': 'regions.city_code',
        'county': 'regions.county_code',
        'township': 'regions.township_code',
        'department': 'order_events.department_code',
        'channel': 'order_events.channel',
        'kind': 'order_events.kind'
    } %}
    {%- set scopes_used = [] %}
    {%- for grain, scope in combinations if scope not in scopes_used %}
        {%- do scopes_used.append(scope) %}
    {%- endfor %}
    {%- for scope in scopes_used %}
    select
        order_events.event_date,
        {%- for other in scopes_used %}
        {% if other == scope %}{{ members[scope] }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as {{ scope_columns()[other] }},
        {%- endfor %}
        {%- for measure in measures %}
        sum(order_events.{{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from order_events
    {%- if members[scope].startswith('regions.') %}
    left join regions on order_events.region_code = regions.region_code
    {%- endif %}
    group by order_events.event_date, {{ members[scope] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

event_parts as (

    select
        scope_days.*,
        calendar_days.calendar_date,
        calendar_days.week_start,
        calendar_days.month_start,
        calendar_days.year_start
    from scope_days
    inner join calendar_days on scope_days.event_date = calendar_days.calendar_date

),

summed_parts as (
    {{ rollup_by_period_scope('event_parts', combinations, measure_sums) }}
),

run_watermark as (

    select max(_watermark) as _watermark, max(_as_of_date) as as_of_date from orders

)

select
    summed_parts.period_grain,
    summed_parts.period_start,
    {{ period_end_of('summed_parts.period_grain', 'period_days') }} as period_end,
    summed_parts.scope_type,
    summed_parts.scope_code,
    case when summed_parts.scope_type = 'department' then summed_parts.scope_code end
        as department_code,
    case
        when summed_parts.scope_type in ('city', 'county') then summed_parts.scope_code
    end as region_code,
    cast(orders_received as bigint) as orders_received,
    cast(transfers_total as bigint) as transfers_total,
    {{ metric_ratio('transfers_per_order') }} as transfers_per_order,
    cast(reply_5wd_decided_orders as bigint) as reply_5wd_decided_orders,
    cast(late_reply_orders as bigint) as late_reply_orders,
    {{ metric_ratio('late_reply_share') }} as late_reply_share,
    cast(reply_5wd_due_orders as bigint) as reply_5wd_due_orders,
    cast(replied_within_5wd_orders as bigint) as replied_within_5wd_orders,
    {{ metric_ratio('reply_5wd_rate') }} as reply_5wd_rate,
    cast(reply_limit_due_orders as bigint) as reply_limit_due_orders,
    cast(replied_within_limit_orders as bigint) as replied_within_limit_orders,
    {{ metric_ratio('reply_on_time_rate') }} as reply_on_time_rate,
    cast(orders_closed as bigint) as orders_closed,
    cast(closed_orders_with_deadline as bigint) as closed_orders_with_deadline,
    cast(closed_on_time_orders as bigint) as closed_on_time_orders,
    {{ metric_ratio('closure_on_time_rate') }} as closure_on_time_rate,
    cast(called_back_orders as bigint) as called_back_orders,
    {{ metric_ratio('callback_rate') }} as callback_rate,
    cast(solved_known_orders as bigint) as solved_known_orders,
    cast(solved_orders as bigint) as solved_orders,
    {{ metric_ratio('solved_rate') }} as solved_rate,
    cast(rated_orders as bigint) as rated_orders,
    cast(satisfied_ratings as bigint) as satisfied_ratings,
    {{ metric_ratio('consultation_satisfaction_rate') }} as consultation_satisfaction_rate,
    (select as_of_date from run_watermark) as _as_of_date,
    (select _watermark from run_watermark) as _watermark,
    '{{ metric_definitions_hash(this.identifier) }}' as _definition_hash
from summed_parts
inner join calendar_days as period_days
    on summed_parts.period_start = period_days.calendar_date
