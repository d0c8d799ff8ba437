{#- The gaps of the current guides, one row per guide and gap, listed per department for the
    supervision outbox so that each department fixes its own: what is missing (gap_code, its
    Chinese label) and a detail (the vague phrase found, the element missing, the limits that
    disagree). Limit disagreements are listed as gaps of their own
    (limit_disagrees_catalogue, limit_disagrees_cases). as_of is the latest guide's
    publication date. -#}

with current_guides as (

    select * from {{ ref('fct_service_guides') }}
    where is_current

),

guide_span as (

    select max(published_date) as as_of from {{ ref('fct_service_guides') }}

),

{%- set gaps = [
    ('steps_name_only', '办理流程仅列步骤名称', "'no step of the process has a description'"),
    ('no_limit_fee_contact', '缺办理时限、收费标准或咨询方式',
        dbt.concat(["'missing:'",
            "case when guide_limit_days is null then ' 时限' else '' end",
            "case when coalesce(trim(fee), '') = '' then ' 收费' else '' end",
            "case when coalesce(trim(contact_phone), '') = '' then ' 咨询电话' else '' end"])),
    ('vague_materials', '申请材料表述模糊', "vague_phrase"),
    ('no_form_download', '无空白表格下载', "'no material offers a blank form'"),
    ('no_instructions_or_sample', '无填写说明或示范样表', "'no material has filling instructions or a sample'"),
    ('no_format_requirements', '无材料格式要求',
        dbt.concat(["cast(materials_without_format as " ~ dbt.type_string() ~ ")", "' of '",
            "cast(material_count as " ~ dbt.type_string() ~ ")", "' materials without a format requirement'"])),
    ('limit_disagrees_catalogue', '指南时限与事项目录承诺时限不一致',
        dbt.concat(["'guide '", "cast(guide_limit_days as " ~ dbt.type_string() ~ ")",
            "', catalogue '", "cast(catalogue_promised_limit_days as " ~ dbt.type_string() ~ ")"])),
    ('limit_disagrees_cases', '指南时限与办件承诺时限不一致',
        dbt.concat(["'guide '", "cast(guide_limit_days as " ~ dbt.type_string() ~ ")",
            "', cases '", "cast(cases_limit_days as " ~ dbt.type_string() ~ ")"])),
] %}

guides_with_elements as (

    select
        current_guides.*,
        elements.fee,
        elements.contact_phone
    from current_guides
    left join {{ ref('stg_guide_system__service_guides') }} as elements
        on current_guides.item_code = elements.item_code
        and current_guides.guide_version = elements.guide_version

),

gap_rows as (
    {%- for code, label, detail in gaps %}
    select
        department_code,
        department_name,
        region_code,
        item_code,
        item_name,
        guide_version,
        published_date,
        '{{ code }}' as gap_code,
        '{{ label }}' as gap_label_zh,
        {{ detail }} as detail
    from guides_with_elements
    where {{ 'gap_' ~ code if not code.startswith('limit_') else code }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    gap_rows.department_code,
    gap_rows.department_name,
    gap_rows.region_code,
    gap_rows.item_code,
    gap_rows.item_name,
    gap_rows.guide_version,
    gap_rows.published_date,
    gap_rows.gap_code,
    gap_rows.gap_label_zh,
    cast(gap_rows.detail as {{ dbt.type_string() }}) as detail,
    guide_span.as_of
from gap_rows
cross join guide_span
