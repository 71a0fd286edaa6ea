-- Open311: the service request updates feed reads timelines by time.
CREATE INDEX matter_events_at ON matter_events (at);
