-- Which instance ran a job (INSTANCE_NAME): with several instances on one database, where work ran.
ALTER TABLE jobs ADD COLUMN claimed_by text;
