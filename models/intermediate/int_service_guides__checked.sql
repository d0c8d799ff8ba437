{#- Every guide version with the six completeness checks of the 2017 State Council inspection
    (docs/guides.md gives the exact rule of each), from the guide and its materials:
    - steps_name_only: no line of process_steps has a description (text after its colon);
      an empty process counts too;
    - no_limit_fee_contact: no time limit (neither promised nor legal), no fee (blank; 不收费 is
      a stated fee) or no enquiry phone: any of the three missing;
    - vague_materials: a material's name contains a phrase of var guide_vague_material_phrases;
    - no_form_download: no material offers a blank form download (form_url);
    - no_instructions_or_sample: no material has filling instructions or a sample;
    - no_format_requirements: a material states no format requirement, or the guide lists no
      material at all. -#}

{%- set phrases = var('guide_vague_material_phrases') -%}

with guides as (

    select * from {{ ref('stg_guide_system__service_guides') }}

),

materials as (

    select
        item_code,
        guide_version,
        material_no,
        material_name,
        {{ contains_any('material_name', phrases) }} as is_vague,
        {{ first_phrase_found('material_name', phrases) }} as vague_phrase,
        coalesce(trim(form_url), '') <> '' as has_form,
        coalesce(trim(sample_url), '') <> '' as has_sample,
        coalesce(trim(filling_instructions), '') <> '' as has_instructions,
        coalesce(trim(format_requirement), '') <> '' as has_format
    from {{ ref('stg_guide_system__guide_materials') }}

),

material_checks as (

    select
        item_code,
        guide_version,
        count(*) as material_count,
        sum(case when is_vague then 1 else 0 end) as vague_materials,
        min(case when is_vague then vague_phrase end) as vague_phrase,
        sum(case when has_form then 1 else 0 end) as materials_with_form,
        sum(case when has_instructions or has_sample then 1 else 0 end)
            as materials_with_instructions_or_sample,
        sum(case when has_format then 0 else 1 end) as materials_without_format
    from materials
    group by item_code, guide_version

),

checked as (

    select
        guides.*,
        coalesce(guides.promised_limit_days, guides.legal_limit_days) as guide_limit_days,
        coalesce(material_checks.material_count, 0) as material_count,
        material_checks.vague_phrase,
        coalesce(material_checks.materials_without_format, 0) as materials_without_format,
        not coalesce(
            {{ regexp_contains('guides.process_steps', '[：:][ \\t　]*[^ \\t　\\r\\n]') }}, false
        ) as gap_steps_name_only,
        (
            coalesce(guides.promised_limit_days, guides.legal_limit_days) is null
            or coalesce(trim(guides.fee), '') = ''
            or coalesce(trim(guides.contact_phone), '') = ''
        ) as gap_no_limit_fee_contact,
        coalesce(material_checks.vague_materials, 0) > 0 as gap_vague_materials,
        coalesce(material_checks.materials_with_form, 0) = 0 as gap_no_form_download,
        coalesce(material_checks.materials_with_instructions_or_sample, 0) = 0
            as gap_no_instructions_or_sample,
        (
            coalesce(material_checks.material_count, 0) = 0
            or material_checks.materials_without_format > 0
        ) as gap_no_format_requirements
    from guides
    left join material_checks
        on guides.item_code = material_checks.item_code
        and guides.guide_version = material_checks.guide_version

)

select
    *,
    (
        case when gap_steps_name_only then 1 else 0 end
        + case when gap_no_limit_fee_contact then 1 else 0 end
        + case when gap_vague_materials then 1 else 0 end
        + case when gap_no_form_download then 1 else 0 end
        + case when gap_no_instructions_or_sample then 1 else 0 end
        + case when gap_no_format_requirements then 1 else 0 end
    ) as gap_count
from checked
