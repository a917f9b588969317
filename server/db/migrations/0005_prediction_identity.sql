-- A prediction is identified by the device that made it and the id that device gave it. Devices
-- make random UUIDs, but each vouches only for its own: with a table-wide key, another device
-- sending the same id (a restored phone backup on a second phone, a buggy or hostile client)
-- made a real entry count as a duplicate, and the phone then deleted it as acknowledged.
ALTER TABLE predictions DROP CONSTRAINT predictions_pkey;
ALTER TABLE predictions ADD PRIMARY KEY (device_id, id);
