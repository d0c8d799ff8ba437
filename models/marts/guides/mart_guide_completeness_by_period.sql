{#- The guide completeness metrics of the registry (metric_kind guide) by month and year for
    the city, each county/district and each department: sums of mart_guide_completeness's
    counts. A year's row is its last month's snapshot (the guides current at the year's end,
    or at the latest month of the data for the current year). -#}

with completeness as (

    select
        completeness.*,
        regions.city_code,
        regions.county_code,
        {{ year_start('completeness.period_start') }} as year_start
    from {{ ref('mart_guide_completeness') }} as completeness
    left join {{ ref('dim_region') }} as regions
        on completeness.region_code = regions.region_code

),

year_last_months as (

    select year_start, max(period_start) as period_start
    from completeness
    group by year_start

),

snapshots as (

    select 'month' as grain, period_start as grain_start, completeness.*
    from completeness
    union all
    select 'year' as grain, completeness.year_start as grain_start, completeness.*
    from completeness
    inner join year_last_months
        on completeness.period_start = year_last_months.period_start

),

{%- set scopes = {'city': 'city_code', 'county': 'county_code', 'department': 'department_code'} %}

scoped as (
    {%- for scope, column in scopes.items() %}
    select
        grain as period_grain,
        grain_start as period_start,
        max(as_of_date) as as_of_date,
        '{{ scope }}' as scope_type,
        {{ column }} as scope_code,
        sum(guides) as guides,
        sum(complete_guides) as complete_guides,
        sum(guides_steps_name_only) as guides_steps_name_only,
        sum(guides_no_limit_fee_contact) as guides_no_limit_fee_contact,
        sum(guides_vague_materials) as guides_vague_materials,
        sum(guides_no_form_download) as guides_no_form_download,
        sum(guides_no_instructions_or_sample) as guides_no_instructions_or_sample,
        sum(guides_no_format_requirements) as guides_no_format_requirements,
        sum(guides_limit_disagrees_catalogue) as guides_limit_disagrees_catalogue,
        sum(guides_limit_disagrees_cases) as guides_limit_disagrees_cases,
        max(_watermark) as _watermark
    from snapshots
    where {{ column }} is not null
    group by grain, grain_start, {{ column }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    period_grain,
    period_start,
    as_of_date,
    scope_type,
    scope_code,
    cast(guides as bigint) as guides,
    cast(complete_guides as bigint) as complete_guides,
    cast(guides_steps_name_only as bigint) as guides_steps_name_only,
    cast(guides_no_limit_fee_contact as bigint) as guides_no_limit_fee_contact,
    cast(guides_vague_materials as bigint) as guides_vague_materials,
    cast(guides_no_form_download as bigint) as guides_no_form_download,
    cast(guides_no_instructions_or_sample as bigint) as guides_no_instructions_or_sample,
    cast(guides_no_format_requirements as bigint) as guides_no_format_requirements,
    cast(guides_limit_disagrees_catalogue as bigint) as guides_limit_disagrees_catalogue,
    cast(guides_limit_disagrees_cases as bigint) as guides_limit_disagrees_cases,
    {{ metric_ratio('guide_completeness_rate') }} as guide_completeness_rate,
    {{ metric_ratio('guide_steps_name_only_share') }} as guide_steps_name_only_share,
    {{ metric_ratio('guide_no_limit_fee_contact_share') }} as guide_no_limit_fee_contact_share,
    {{ metric_ratio('guide_vague_materials_share') }} as guide_vague_materials_share,
    {{ metric_ratio('guide_no_form_download_share') }} as guide_no_form_download_share,
    {{ metric_ratio('guide_no_instructions_or_sample_share') }}
        as guide_no_instructions_or_sample_share,
    {{ metric_ratio('guide_no_format_requirements_share') }}
        as guide_no_format_requirements_share,
    _watermark
from scoped
