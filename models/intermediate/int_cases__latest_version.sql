{#- A case is re-exported every time its status changes; the latest version wins (latest
    updated_at, then the latest load). Older versions stay in raw as history. -#}

with case_versions as (

    select * from {{ ref('stg_case_platform__case_logs') }}

),

ranked_versions as (

    select
        case_versions.*,
        row_number() over (
            partition by case_id
            order by updated_at desc, _loaded_at desc, _source_file desc
        ) as version_rank
    from case_versions

)

select * from ranked_versions
where version_rank = 1
