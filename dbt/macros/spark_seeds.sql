{#- Seeds on Spark, loaded as SQL literals. dbt-spark's own spark__load_csv_rows binds values
    with the session method's cursor, which pastes each value between quotes as it is: a
    quote inside a value breaks the statement ("New Year's Day") and an empty cell is loaded
    as the string 'None' instead of null. Here each value becomes a literal: null, a number,
    or an escaped string cast to the column's type (column_types of dbt_project.yml, else the
    type dbt-spark infers), in batches as dbt-spark does. -#}

{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(
            column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))
        ) -%}
    {%- endfor -%}

    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ column_types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- the SQL of the first batch, for the compiled files -#}
    {{ return(statements[0]) }}
{% endmacro %}

{#- One CSV value (as agate parsed it) as a Spark SQL literal. -#}
{% macro spark_seed_literal(value) %}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is sameas true or value is sameas false -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- else -%}
        {{ return("'" ~ (value | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
    {%- endif -%}
{% endmacro %}
