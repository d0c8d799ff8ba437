{#- The column is unique, checked for the keys of the rows the last run wrote (`new_rows`, a
    condition that may name the table as __this__) against every row of the table: fails for
    each such key that occurs more than once. For an incremental model whose unique_key is
    not this column (a key can then be left behind in a part the run did not rewrite), where
    a `where`-scoped `unique` would miss the old copy. Rows no run has rewritten since were
    checked by the run that wrote them; after a full refresh every row is new and this is
    dbt's `unique`. The keys of the new rows are a small share of the table: this reads the
    column once instead of grouping all of it. -#}
{% test unique_with_new_rows(model, column_name, new_rows) %}

with new_keys as (

    select distinct {{ column_name }}
    from {{ model }}
    where {{ new_rows | replace('__this__', model | string) }}
        and {{ column_name }} is not null

)

select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} in (select {{ column_name }} from new_keys)
group by {{ column_name }}
having count(*) > 1

{% endtest %}
