package storage

// Typed ids, for functions that take several: a returnee's id passed where a
// conversation's is expected does not compile.
type (
	ReturneeID     int64
	ConversationID int64
	AlertID        int64
	StaffID        int64
)
