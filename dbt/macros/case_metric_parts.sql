{#- The additive parts of the demand metrics, per completed case: (column, condition) pairs, a
    case counting 1 in a part when its condition holds. mart_case_metrics_daily sums them per
    day, item, channel, department and region; mart_case_drill lists them per case, so a
    Superset roll-up of the case list equals the daily mart's. One definition for both.
    The denominators: cases_with_deadline (on-time: fct_cases.deadline_source <> 'none'),
    trips_reported_cases (a log without trips gets no trip rates, not zero ones),
    acceptance_known_cases (instant completion: cases with an acceptance time). -#}
{% macro case_metric_parts() -%}
    {{ return([
        ('online_cases', 'is_online_submission'),
        ('on_time_cases', 'is_on_time'),
        ('cases_with_deadline', 'is_on_time is not null'),
        ('trips_reported_cases', 'trips is not null'),
        ('acceptance_known_cases', 'is_completed_same_workday is not null'),
        ('same_workday_cases', 'is_completed_same_workday'),
        ('one_trip_cases', 'is_one_trip'),
        ('zero_trip_cases', 'is_zero_trip'),
        ('zero_trip_item_cases', 'is_zero_trip_item and trips is not null'),
        ('zero_trip_item_zero_trip_cases', 'is_zero_trip_item and is_zero_trip'),
        ('rated_cases', 'is_rated'),
        ('satisfied_ratings', 'is_satisfied_rating'),
        ('bad_ratings', 'is_bad_rating'),
    ]) }}
{%- endmacro %}
