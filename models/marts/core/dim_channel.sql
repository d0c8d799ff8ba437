{#- Submission channels. Which count as online is the var online_channels (self-service kiosks
    are online by default; set the var to change it for a city). -#}

with channels as (

    select * from {{ ref('channels') }}

)

select
    channel,
    channel_name_zh,
    channel_name_en,
    channel_group,
    channel in {{ sql_string_list(var('online_channels')) }} as is_online
from channels
