*** Settings ***
Documentation     RoutineControl 0x31 (catalogue section 8): start, results and stop, the sequence
...               checks, the service's own NRC order (the routine id before the sub-function), routines
...               limited to a session or behind security access, the suppress bit and refused conditions.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x31
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x31    physical

Name              0x31 Routine Control


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3101 Start Routine Is Answered With Its Status
    [Documentation]    Starting a routine is answered with its id and routine status record.
    [Tags]    positive    requires:start-only-routine
    P EXT    31 01 ${START_ONLY_RID}    71 01 ${START_ONLY_RID} ${START_ONLY_RECORD}
TC3102 Start Results And Stop
    [Documentation]    A started routine reports its results and can be stopped.
    [Tags]    positive    requires:stoppable-routine
    P EXT    31 01 ${STOPPABLE_RID}    71 01 ${STOPPABLE_RID} ${STOPPABLE_START_RECORD}
    ...    31 03 ${STOPPABLE_RID}    71 03 ${STOPPABLE_RID} ${STOPPABLE_RESULTS_RECORD}
    ...    31 02 ${STOPPABLE_RID}    71 02 ${STOPPABLE_RID} ${STOPPABLE_STOP_RECORD}
TC3103 Stop Before Start Gets 0x24
    [Documentation]    Stopping a routine that was never started gets requestSequenceError.
    [Tags]    nrc    sequence    requires:stoppable-routine
    P EXT    31 02 ${STOPPABLE_RID}    7F 31 24
TC3104 Results Before Start Get 0x24
    [Documentation]    Asking for the results of a routine that was never started gets requestSequenceError.
    [Tags]    nrc    sequence    requires:stoppable-routine
    P EXT    31 03 ${STOPPABLE_RID}    7F 31 24
TC3105 Unsupported Routine Gets 0x31
    [Documentation]    A routine id the ECU does not have gets requestOutOfRange.
    [Tags]    nrc    requires:extended
    P EXT    31 01 ${UNSUPPORTED_RID}    7F 31 31
TC3106 Unsupported Sub-function Gets 0x12
    [Documentation]    An undefined routineControlType for a supported routine gets subFunctionNotSupported.
    [Tags]    nrc    requires:stoppable-routine
    P EXT    31 05 ${STOPPABLE_RID}    7F 31 12
TC3107 Routine Id Is Checked Before The Sub-function
    [Documentation]    An undefined routineControlType for an unsupported routine gets 0x31, not 0x12.
    [Tags]    nrc    requires:extended
    P EXT    31 05 ${UNSUPPORTED_RID}    7F 31 31
TC3108 Stop Of A Start-only Routine Gets 0x12
    [Documentation]    stopRoutine for a routine without a stop gets subFunctionNotSupported.
    [Tags]    nrc    requires:start-only-routine
    P EXT    31 02 ${START_ONLY_RID}    7F 31 12
TC3109 Routine Of Another Session Gets 0x31
    [Documentation]    A routine not available in the default session gets requestOutOfRange there.
    [Tags]    nrc    session    requires:routine-not-in-default
    P DEF    31 01 ${NOT_IN_DEFAULT_RID}    7F 31 31
TC3110 Secured Routine While Locked Gets 0x33
    [Documentation]    The erase routine gets securityAccessDenied while its level is locked.
    [Tags]    nrc    security    requires:erase-routine    requires:secured-erase
    P PRG L    31 01 ${ERASE_RID} ${ERASE_OPTION}    7F 31 33
TC3111 Suppressed Start Still Starts The Routine
    [Documentation]    31 81 is not answered, but the routine runs: its results are then available.
    [Tags]    sprmib    requires:stoppable-routine
    P EXT    31 81 ${STOPPABLE_RID}    ${NO_RESPONSE}
    ...    31 03 ${STOPPABLE_RID}    71 03 ${STOPPABLE_RID} ${STOPPABLE_RESULTS_RECORD}
TC3112 Failed Precondition Gets 0x22
    [Documentation]    When the routine's (simulated) precondition fails, starting it gets conditionsNotCorrect.
    [Tags]    nrc    fault    requires:start-only-routine    requires:simulator
    [Template]    NONE
    Establish Precondition    P EXT
    Inject Fault    routine_precondition_failed    ${START_ONLY_RID_NUMBER}
    Send UDS Request    31 01 ${START_ONLY_RID}    expected=7F 31 22
