{#- Data tests scoped to the rows of the last run. A test's `where` config may name the tested
    relation as `__this__`, e.g. on an incremental fact whose rows carry the watermark of the
    run that wrote them:

        config:
          where: "_watermark = (select max(_watermark) from __this__)"

    After a full refresh every row carries that watermark and the test covers the whole table;
    after an incremental run it covers what the run rewrote (rows it did not touch were tested
    when they were written). dbt renders `where` before it knows the relation, so the name is
    put in here, in the override of dbt's get_where_subquery that its documentation gives for
    custom `where` logic; without the placeholder this is dbt's own behaviour. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('__this__', relation | string) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
