-- A refusal's details (google.rpc ErrorInfo, BadRequest) replay with it.
ALTER TABLE "idempotency_keys" ADD COLUMN "error_details" JSONB;
