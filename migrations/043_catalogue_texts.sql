-- The service catalogue as administrators edit it: each version of the fees keeps the services'
-- names, descriptions, what they include and their billing codes (English and Spanish) in force
-- from then on. Null: the catalogue file's texts.
ALTER TABLE fee_schedules ADD COLUMN services jsonb;
