{#- Monthly snapshots of the service guides' completeness: for each month, the guides current
    at its last day (the latest version of each item published on or before it), counted per
    department and region, with one count per gap of the 2017 inspection and the guides whose
    time limit disagrees with the catalogue's or the cases'. The months run from the first
    guide's publication to the latest one. Sum the counts to roll up (department, region,
    city); mart_guide_completeness_by_period does so for the metric registry. -#}

with guides as (

    select * from {{ ref('fct_service_guides') }}

),

guide_span as (

    select
        min(published_date) as first_published_date,
        max(published_date) as last_published_date,
        max(_loaded_at) as _watermark
    from guides

),

months as (

    select distinct calendar_days.month_start, calendar_days.month_end
    from {{ ref('dim_date') }} as calendar_days
    cross join guide_span
    where calendar_days.month_end >= guide_span.first_published_date
        and calendar_days.month_start <= guide_span.last_published_date

),

guides_in_force as (

    select
        months.month_start,
        months.month_end,
        guides.*
    from months
    inner join guides
        on guides.published_date <= months.month_end
        and (guides.valid_to is null or guides.valid_to >= months.month_end)

),

counts as (

    select
        month_start,
        month_end,
        department_code,
        max(department_name) as department_name,
        region_code,
        count(*) as guides,
        sum(case when is_complete then 1 else 0 end) as complete_guides,
        sum(case when gap_steps_name_only then 1 else 0 end) as guides_steps_name_only,
        sum(case when gap_no_limit_fee_contact then 1 else 0 end) as guides_no_limit_fee_contact,
        sum(case when gap_vague_materials then 1 else 0 end) as guides_vague_materials,
        sum(case when gap_no_form_download then 1 else 0 end) as guides_no_form_download,
        sum(case when gap_no_instructions_or_sample then 1 else 0 end)
            as guides_no_instructions_or_sample,
        sum(case when gap_no_format_requirements then 1 else 0 end)
            as guides_no_format_requirements,
        sum(gap_count) as gaps,
        sum(case when limit_disagrees_catalogue then 1 else 0 end)
            as guides_limit_disagrees_catalogue,
        sum(case when limit_disagrees_cases then 1 else 0 end) as guides_limit_disagrees_cases
    from guides_in_force
    group by month_start, month_end, department_code, region_code

)

select
    'month' as period_grain,
    month_start as period_start,
    month_end as period_end,
    month_end as as_of_date,
    department_code,
    department_name,
    region_code,
    cast(guides as bigint) as guides,
    cast(complete_guides as bigint) as complete_guides,
    cast(guides_steps_name_only as bigint) as guides_steps_name_only,
    cast(guides_no_limit_fee_contact as bigint) as guides_no_limit_fee_contact,
    cast(guides_vague_materials as bigint) as guides_vague_materials,
    cast(guides_no_form_download as bigint) as guides_no_form_download,
    cast(guides_no_instructions_or_sample as bigint) as guides_no_instructions_or_sample,
    cast(guides_no_format_requirements as bigint) as guides_no_format_requirements,
    cast(gaps as bigint) as gaps,
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
    (select _watermark from guide_span) as _watermark
from counts
