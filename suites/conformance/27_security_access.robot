*** Settings ***
Documentation     SecurityAccess 0x27 (catalogue section 4): seed and key, the zero seed of an unlocked
...               level, the sequence and length checks, the failed-attempt limit with its delay (also
...               after a reset), and re-locking on an S3 timeout.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x27
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x27    security    physical    requires:security

Name              0x27 Security Access


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC2701 Security Access Not In Default Session Gets 0x7F
    [Documentation]    SecurityAccess in the default session gets serviceNotSupportedInActiveSession.
    [Tags]    nrc    requires:security-not-in-default
    P DEF    27 ${EXTENDED_LEVEL}    7F 27 7F
TC2702 Seed And Key Unlock The Secured DID
    [Documentation]    A non-zero seed, the right key (67 02) and then the secured DID is readable.
    [Tags]    positive    requires:secured-did
    [Template]    NONE
    Establish Precondition    P EXT L
    ${seed} =    Request Seed While Locked
    ${key} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}
    Send Key    ${key}    ${EXTENDED_LEVEL}
    Last Response Should Be    67 ${{'%02X' % (int($EXTENDED_LEVEL, 16) + 1)}}
    Send UDS Request    22 ${SECURED_DID}    expected=62 ${SECURED_DID} ${SECURED_DID_VALUE}
TC2703 Unlocked Level Answers A Zero Seed
    [Documentation]    A seed request for the level already unlocked is answered with an all-zero seed.
    [Tags]    positive
    P EXT U    27 ${EXTENDED_LEVEL}    67 ${EXTENDED_LEVEL} ${ZERO_SEED}
TC2704 Key Without Seed Gets 0x24
    [Documentation]    A key sent without a seed request gets requestSequenceError.
    [Tags]    nrc    sequence
    [Template]    NONE
    Establish Precondition    P EXT L
    Send Key    ${ARBITRARY_KEY}    ${EXTENDED_LEVEL}    expected_nrc=24
    Last Response Should Be    7F 27 24
TC2705 A Failed Key Uses Up The Seed
    [Documentation]    After a wrong key (0x35) even the right key for that seed gets requestSequenceError.
    [Tags]    nrc    sequence
    [Template]    NONE
    Establish Precondition    P EXT L
    ${seed} =    Request Seed While Locked
    ${wrong} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}    secret=${WRONG_SECRET}
    Send Key    ${wrong}    ${EXTENDED_LEVEL}    expected_nrc=35
    Last Response Should Be    7F 27 35
    ${key} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}
    Send Key    ${key}    ${EXTENDED_LEVEL}    expected_nrc=24
    Last Response Should Be    7F 27 24
    [Teardown]    Recover Security Access On A Real ECU
TC2706 Attempt Limit Gets 0x36
    [Documentation]    Wrong keys get 0x35 until the attempt limit, and the last one exceededNumberOfAttempts.
    [Tags]    nrc
    [Template]    NONE
    Establish Precondition    P EXT L
    Exhaust Security Attempts
    [Teardown]    Recover Security Access On A Real ECU
TC2707 Seed During The Delay Gets 0x37
    [Documentation]    A seed request within the delay after the attempt limit gets requiredTimeDelayNotExpired.
    [Tags]    nrc    timing
    [Template]    NONE
    Establish Precondition    P EXT L
    Exhaust Security Attempts
    Send UDS Request    27 ${EXTENDED_LEVEL}    expected=7F 27 37
    [Teardown]    Recover Security Access On A Real ECU
TC2708 Unlock Succeeds After The Delay
    [Documentation]    Once the delay has run out (session kept alive), seed and right key unlock the level.
    [Tags]    positive    timing
    [Template]    NONE
    Establish Precondition    P EXT L
    Exhaust Security Attempts
    Keep Session Alive For    ${SECURITY_DELAY_WAIT}
    ${seed} =    Request Seed While Locked
    ${key} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}
    Send Key    ${key}    ${EXTENDED_LEVEL}
    Last Response Should Be    67 ${{'%02X' % (int($EXTENDED_LEVEL, 16) + 1)}}
TC2709 Delay Runs Again After A Reset
    [Documentation]    A reset after the attempt limit does not clear it: the delay runs again at power-on.
    [Tags]    nrc    timing    requires:hard-reset    requires:delay-on-boot
    [Template]    NONE
    Establish Precondition    P EXT L
    Exhaust Security Attempts
    Send UDS Request    11 ${HARD_RESET}    expected=51 ${HARD_RESET}
    Wait Until ECU Has Reset
    Send UDS Request    10 ${EXTENDED_SESSION}    expected=50 ${EXTENDED_SESSION} ${DSC_TIMING}
    Send UDS Request    27 ${EXTENDED_LEVEL}    expected=7F 27 37
    [Teardown]    Recover Security Access On A Real ECU
TC2710 Unsupported Level Gets 0x12
    [Documentation]    A seed request for a level the ECU does not have gets subFunctionNotSupported.
    [Tags]    nrc
    P EXT    27 ${UNSUPPORTED_LEVEL}    7F 27 12
TC2711 Key Of Wrong Length Gets 0x13
    [Documentation]    The right key with one byte too many gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length
    [Template]    NONE
    Establish Precondition    P EXT L
    ${seed} =    Request Seed While Locked
    ${key} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}
    ${too_long} =    Evaluate    robot.api.types.Secret($key.value + ' 00')    modules=robot.api.types
    Send Key    ${too_long}    ${EXTENDED_LEVEL}    expected_nrc=13
    Last Response Should Be    7F 27 13
TC2712 Unsupported Level Gets 0x12 Before The Sequence Check
    [Documentation]    A key for an unsupported level after a seed of another level gets 0x12, not 0x24.
    [Tags]    nrc    sequence
    [Template]    NONE
    Establish Precondition    P EXT L
    ${seed} =    Request Seed While Locked
    ${key} =    Compute Security Key    ${seed}    ${EXTENDED_LEVEL}
    Send Key    ${key}    ${UNSUPPORTED_LEVEL}    expected_nrc=12
    Last Response Should Be    7F 27 12
TC2714 S3 Timeout Locks Security Again
    [Documentation]    After an S3 timeout the level is locked again in a newly entered extended session.
    [Tags]    timing    session
    [Template]    NONE
    Establish Precondition    P EXT U
    Let S3 Expire
    IF    not $UNMET['session-did']
        Active Session Should Be    ${DEFAULT_SESSION}
    END
    Send UDS Request    10 ${EXTENDED_SESSION}    expected=50 ${EXTENDED_SESSION} ${DSC_TIMING}
    Security Level Should Be Locked
