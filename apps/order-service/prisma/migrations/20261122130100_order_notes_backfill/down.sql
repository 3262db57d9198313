-- Nothing to undo: notes copied from cancel_reason are what the code reads
-- anyway (notes, else cancel_reason); the expand step's down drops them.
SELECT 1;
