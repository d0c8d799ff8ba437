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
{#- Each measure is counted on the day of one event of the order; an event adds the measures
    it counts (the others are 0 on its rows), for the orders that have it. -#}
{%- set order_events = [
    {'day': 'received_date', 'orders_with_it': none, 'counts': {
        'orders_received': '1',
        'transfers_total': 'orders.transfers',
        'reply_5wd_decided_orders':
            'case when orders.replied_within_5_working_days is not null then 1 else 0 end',
        'late_reply_orders':
            'case when not orders.replied_within_5_working_days then 1 else 0 end'}},
    {'day': 'reply_5wd_due_date',
     'orders_with_it': 'orders.replied_within_5_working_days is not null', 'counts': {
        'reply_5wd_due_orders': '1',
        'replied_within_5wd_orders':
            'case when orders.replied_within_5_working_days then 1 else 0 end'}},
    {'day': 'reply_due_date', 'orders_with_it': 'orders.replied_within_limit is not null',
     'counts': {
        'reply_limit_due_orders': '1',
        'replied_within_limit_orders':
            'case when orders.replied_within_limit then 1 else 0 end'}},
    {'day': 'closed_date', 'orders_with_it': 'orders.closed_date is not null', 'counts': {
        'orders_closed': '1',
        'closed_orders_with_deadline':
            'case when orders.closed_on_time is not null then 1 else 0 end',
        'closed_on_time_orders': 'case when orders.closed_on_time then 1 else 0 end',
        'called_back_orders': 'case when orders.is_called_back then 1 else 0 end',
        'solved_known_orders': 'case when orders.solved is not null then 1 else 0 end',
        'solved_orders': 'case when orders.solved then 1 else 0 end',
        'rated_orders': 'case when orders.rating is not null then 1 else 0 end',
        'satisfied_ratings': 'case when orders.is_satisfied_rating then 1 else 0 end'}}
] -%}
{#- The member of each scope published: the city and the county from the order's region (as
    dated_parts finds them), the department, channel and kind. -#}
{%- set members = {
    'city': 'regions.city_code',
    'county': 'regions.county_code',
    'township': 'regions.township_code',
    'department': 'orders.department_code',
    'channel': 'orders.channel',
    'kind': 'orders.kind'
} -%}
{%- set scopes_used = [] -%}
{%- for grain, scope in combinations if scope not in scopes_used -%}
    {%- do scopes_used.append(scope) -%}
{%- endfor -%}

with calendar_days as (

    select * from {{ ref('dim_date') }}

),

orders as (

    select * from {{ ref('fct_consultations') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

event_scope_days as (

    -- per event, each day's counts once per member of each scope (grouping sets: the scope
    -- columns not grouped are null), read from the orders directly rather than from a union
    -- of their events: ~10^5 rows for the calendar join and the period × scope groupings
    {%- for event in order_events %}
    select
        orders.{{ event.day }} as event_date,
        {%- for scope in scopes_used %}
        {{ members[scope] }} as {{ scope_columns()[scope] }},
        {%- endfor %}
        {%- for measure in measures %}
        {% if measure in event.counts -%}
        sum({{ event.counts[measure] }})
        {%- else -%}
        0
        {%- endif %} as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from orders
    left join regions on orders.region_code = regions.region_code
    {%- if event.orders_with_it %}
    where {{ event.orders_with_it }}
    {%- endif %}
    group by grouping sets (
        {%- for scope in scopes_used %}
        (orders.{{ event.day }}, {{ members[scope] }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

scope_days as (

    -- the events of a day added up, per scope member
    select
        event_date,
        {%- for scope in scopes_used %}
        {{ scope_columns()[scope] }},
        {%- endfor %}
        {{ measure_sums }}
    from event_scope_days
    group by
        event_date
        {%- for scope in scopes_used %},
        {{ scope_columns()[scope] }}
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
