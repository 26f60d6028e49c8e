"""The organizers' campaign dashboard: counts, a chart per day, breakdowns and a projection."""
