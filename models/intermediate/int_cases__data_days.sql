{#- The days the case log reaches, in one row: what mart_data_freshness publishes as its
    case_logs row, and what the case marts that date themselves by a case-log day read.
    Its own model so that those marts wait for fct_cases only, not for every source's fact
    that mart_data_freshness also reads (in a daily build they start seconds earlier). -#}

select
    min(submission_date) as first_data_date,
    max(cast(updated_at as date)) as last_data_date,
    count(*) as row_count,
    max(case when acceptance_date is not null then cast(updated_at as date) end)
        as last_accepted_case_update_date,
    max(case when is_completed then completion_date end) as last_completion_date,
    max(submission_date) as last_submission_date
from {{ ref('fct_cases') }}
