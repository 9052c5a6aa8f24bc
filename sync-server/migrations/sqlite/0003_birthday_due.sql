-- Birthday nudges by due time: the re-planner's periodic look for birthdays that are over and
-- need next year's planned (`birthdays_to_roll_over`), without scanning the whole schedule.
CREATE INDEX nudges_birthday_due_idx ON nudges (due_at) WHERE kind = 'birthday';
