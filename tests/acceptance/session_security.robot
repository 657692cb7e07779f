*** Settings ***
Documentation    Sessions, security access and Tester Present against the simulated ECU SIM-1.
...
...              The bench sim-1 runs the demo ECU with the ``ci`` timing profile: S3 1 s, P2 50 ms,
...              P2* 1 s, security delay 1 s. Every test gets a fresh connection (and so a freshly
...              booted ECU), because sessions and security state carry over otherwise.

Library          OperatingSystem
Library          UdsLibrary

Test Setup       Open UDS Connection    ${BENCH}
Test Teardown    Close All UDS Connections


*** Variables ***
${BENCH}                   ${CURDIR}/../../resources/benches/sim-1.yaml
${ZERO_SEED}               00 00 00 00
${SECRET: Secret}          %{UDS_TEST_SECRET=A5A5A5A5}
${WRONG_SECRET: Secret}    %{UDS_TEST_WRONG_SECRET=01020304}


*** Test Cases ***
Change Session By Name
    [Documentation]    Names from the description and the ISO names, in any case, select a session.
    ${session} =    Change Session    extended
    Should Be Equal As Integers    ${session}    3
    Session Should Be    extended
    Change Session    DEFAULT
    Session Should Be    default
    ${session} =    Change Session    extendedDiagnosticSession
    Should Be Equal As Integers    ${session}    3
    Session Should Be    Extended

Change Session By Number
    [Documentation]    Session numbers are hex: 3, 03 and 0x03 are the same session.
    Change Session    3
    Session Should Be    0x03
    Change Session    0x02
    Session Should Be    programming
    Change Session    01
    Session Should Be    defaultSession

Session Should Be Reads DID F186 Or Uses The Last Response
    [Documentation]    The default source asks the ECU (22 F1 86); source=last uses the last DSC answer.
    Change Session    extended
    Session Should Be    extended    source=did
    Session Should Be    0x03    source=last
    Run Keyword And Expect Error
    ...    Active session is 0x03 extended, expected 0x01 default (read from DID F186)
    ...    Session Should Be    default
    Run Keyword And Expect Error
    ...    Active session is 0x03 extended, expected 0x02 programming (from the last DiagnosticSessionControl*
    ...    Session Should Be    programming    source=last

Session Should Be From The Last Response Needs A Session Change
    [Documentation]    Without a confirmed session change there is nothing to compare with.
    Run Keyword And Expect Error
    ...    no session change has been confirmed on connection 'sim-1' yet*
    ...    Session Should Be    default    source=last

Unknown Session Is Refused Before Anything Is Sent
    [Documentation]    Typos get suggestions; the SPRMIB bit belongs in suppress_response.
    Run Keyword And Expect Error
    ...    unknown session 'extendd' (known: default, programming, extended*did you mean extended?
    ...    Change Session    extendd
    Run Keyword And Expect Error
    ...    session 0x83 has bit 7 (suppressPosRspMsgIndicationBit) set: give session 0x03 and suppress_response=True
    ...    Change Session    0x83
    Run Keyword And Expect Error    unknown session 'nosuch'*    Session Should Be    nosuch

Session Change Refused By The ECU
    [Documentation]    Programming is only reachable from extended; low supply voltage gives 0x22 with a hint.
    Run Keyword And Expect Error
    ...    *rejected 10 02 (0x10 DiagnosticSessionControl) with NRC 0x7E subFunctionNotSupportedInActiveSession*
    ...    Change Session    programming
    Change Session    programming    expected_nrc=subFunctionNotSupportedInActiveSession
    Session Should Be    default
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'low_voltage', True)
    Run Keyword And Expect Error
    ...    *NRC 0x22 conditionsNotCorrect*hint: on a session change this usually means the supply voltage is too low*
    ...    Change Session    extended
    Change Session    extended    expected_nrc=0x22
    Run Keyword And Expect Error
    ...    *rejected 10 01 (0x10 *) with NRC 0x22 conditionsNotCorrect, but NRC 0x31 requestOutOfRange was expected
    ...    Change Session    default    expected_nrc=0x31

Session Change With Suppressed Positive Response
    [Documentation]    With the SPRMIB set (10 83) the ECU changes the session without answering.
    Change Session    extended    suppress_response=True
    Session Should Be    extended
    Session Should Be    extended    source=last

Session Timing Announced By The ECU Is Applied
    [Documentation]    The bench's timeouts (P2 150 ms, P2* 1.1 s) are floors; longer announcements lengthen them.
    Change Session    extended
    Client Timeouts Should Be    p2=0.15    p2_star=1.1
    Announced Timing Should Be    p2=0.05    p2_star=1.0
    Simulated ECU Announces    p2=0.2    p2_star=3.0
    Change Session    extended
    Announced Timing Should Be    p2=0.2    p2_star=3.0
    Client Timeouts Should Be    p2=0.25    p2_star=3.3
    Simulated ECU Announces    p2=0.05    p2_star=1.0
    Change Session    default
    Client Timeouts Should Be    p2=0.15    p2_star=1.1

Unlock With The Secret Of The ECU Description
    [Documentation]    Algorithm and secret come from the ECU description; a second unlock sees a zero seed.
    Change Session    extended
    Unlock Security Level
    Security Level Should Be Unlocked
    Unlock Security Level    0x01

Unlock With A Robot Framework Secret
    [Documentation]    The secret is a Robot Framework Secret made from an environment variable.
    Change Session    extended
    Unlock Security Level    01    secret=${SECRET}
    Security Level Should Be Unlocked

Unlock With A Secret From An Environment Variable
    [Documentation]    secret_env names the environment variable that holds the secret as hex.
    Set Environment Variable    UDS_TEST_SECRET_HEX    ${SECRET}
    Change Session    extended
    Unlock Security Level    secret_env=UDS_TEST_SECRET_HEX    algorithm=xor
    Security Level Should Be Unlocked
    [Teardown]    Run Keywords    Remove Environment Variable    UDS_TEST_SECRET_HEX
    ...    AND    Close All UDS Connections

Secrets Given The Wrong Way Are Refused Before Anything Is Sent
    [Documentation]    Plain-text secrets, unset variables, unknown algorithms and levels fail without a request.
    Change Session    extended
    Run Keyword And Expect Error
    ...    secret must be a Robot Framework Secret, not plain text*
    ...    Unlock Security Level    secret=A5A5A5A5
    Run Keyword And Expect Error
    ...    environment variable UDS_TEST_NOT_SET (secret_env) is not set or empty
    ...    Unlock Security Level    secret_env=UDS_TEST_NOT_SET
    Run Keyword And Expect Error
    ...    unknown key algorithm 'nope'*
    ...    Unlock Security Level    algorithm=nope
    Run Keyword And Expect Error
    ...    security level 0x05 is not in the ECU description 'SIM-1' (levels: 0x01, 0x11)*
    ...    Unlock Security Level    05
    Run Keyword And Expect Error
    ...    level 0x02 is a sendKey sub-function: give the security level, the odd requestSeed value 0x01*
    ...    Unlock Security Level    02
    ${seed} =    Request Seed
    Should Not Be Equal    ${seed}    ${ZERO_SEED}    msg=Nothing may have been unlocked.

Wrong Secret Fails With Invalid Key And The Key Algorithm Hint
    [Documentation]    Two wrong keys give 0x35, the third 0x36; then the delay answers 0x37.
    Change Session    extended
    Run Keyword And Expect Error
    ...    *rejected 27 02 (0x27 SecurityAccess) with NRC 0x35 invalidKey*hint: check the key algorithm and its version*
    ...    Unlock Security Level
    ...    secret=${WRONG_SECRET}
    Unlock Security Level    secret=${WRONG_SECRET}    expected_nrc=invalidKey
    Run Keyword And Expect Error
    ...    *NRC 0x36 exceededNumberOfAttempts*
    ...    Unlock Security Level    secret=${WRONG_SECRET}
    Run Keyword And Expect Error
    ...    *rejected 27 01 (0x27 *) with NRC 0x37 requiredTimeDelayNotExpired, but NRC 0x35 invalidKey was expected
    ...    Unlock Security Level    secret=${WRONG_SECRET}    expected_nrc=invalidKey
    Unlock Security Level    expected_nrc=requiredTimeDelayNotExpired
    Request Seed    expected_nrc=requiredTimeDelayNotExpired

Security Access Needs The Extended Session
    [Documentation]    In the default session the ECU refuses 0x27 with 0x7F and the library hints at the session.
    Unlock Security Level    expected_nrc=serviceNotSupportedInActiveSession
    Request Seed    expected_nrc=serviceNotSupportedInActiveSession
    Run Keyword And Expect Error
    ...    *NRC 0x7F serviceNotSupportedInActiveSession*hint: change to a session that offers this service first*
    ...    Unlock Security Level

Seed And Key Apart
    [Documentation]    Request Seed, Compute Security Key and Send Key unlock step by step.
    Change Session    extended
    ${seed} =    Request Seed
    Should Match Regexp    ${seed}    ^[0-9A-F]{2}( [0-9A-F]{2}){3}$
    ${key} =    Compute Security Key    ${seed}
    Send Key    ${key}
    Security Level Should Be Unlocked

Wrong Key Then Right Key Is A Sequence Error
    [Documentation]    TC2705: a seed is good for one key, right or wrong.
    Change Session    extended
    ${seed} =    Request Seed
    ${key} =    Compute Security Key    ${seed}
    Send Key    00 00 00 00    expected_nrc=invalidKey
    Send Key    ${key}    expected_nrc=requestSequenceError
    Run Keyword And Expect Error
    ...    *rejected 27 02 (0x27 SecurityAccess) with NRC 0x24 requestSequenceError*
    ...    Send Key    ${key}

Send Key Takes The Security Level
    [Documentation]    Send Key takes the odd level like Request Seed; an even value is refused with a hint.
    Change Session    extended
    Run Keyword And Expect Error
    ...    level 0x02 is a sendKey sub-function: give the security level, * (the key is sent with level + 1)
    ...    Send Key    00 00 00 00    02
    Run Keyword And Expect Error    key 'XY' is not hex*    Send Key    XY

Tester Present Keeps The Session Alive Past S3
    [Documentation]    With 3E 80 every 300 ms the extended session survives 2.5 s (S3 is 1 s).
    Change Session    extended
    Start Tester Present    300 ms
    Sleep    2.5 s
    Session Should Be    extended
    Stop Tester Present

Without Tester Present The Session Falls Back To Default After S3
    [Documentation]    The counter-check: without Tester Present the ECU returns to default after S3 (1 s).
    Change Session    extended
    Sleep    2.5 s
    Session Should Be    default

Tester Present With Answers And Functional Addressing
    [Documentation]    3E 00 with its answer read, then a restart with functional 3E 80; both keep the session.
    Change Session    extended
    Start Tester Present    200 ms    suppress_response=False
    Sleep    0.5 s
    Start Tester Present    200 ms    functional=True
    Sleep    1.5 s
    Session Should Be    extended
    Stop Tester Present

Stop Tester Present Is Safe When Not Running
    [Documentation]    Stopping without a start, and without any connection, passes.
    Stop Tester Present
    Close All UDS Connections
    Stop Tester Present

Bad Tester Present Interval Is Refused
    [Documentation]    The interval is a Robot Framework time longer than zero.
    Run Keyword And Expect Error    interval 'soon' is not a time such as '2 s' or '500 ms'
    ...    Start Tester Present    soon
    Run Keyword And Expect Error    interval must be longer than 0, got '0 s'    Start Tester Present    0 s


*** Keywords ***
Security Level Should Be Unlocked
    [Documentation]    An unlocked level answers a seed request with a zero seed.
    ${seed} =    Request Seed
    Should Be Equal    ${seed}    ${ZERO_SEED}    msg=Security level 0x01 should be unlocked.

Client Timeouts Should Be
    [Documentation]    The active connection waits ${p2} s for an answer and ${p2_star} s after a 0x78.
    [Arguments]    ${p2}    ${p2_star}
    ${library} =    Get Library Instance    UdsLibrary
    ${connection} =    Evaluate    $library.active_target().connection
    Should Be Equal As Numbers    ${connection.p2_timeout}    ${p2}    precision=6
    Should Be Equal As Numbers    ${connection.p2_star_timeout}    ${p2_star}    precision=6

Announced Timing Should Be
    [Documentation]    The P2 and P2* (seconds) the ECU announced in its last session change.
    [Arguments]    ${p2}    ${p2_star}
    ${library} =    Get Library Instance    UdsLibrary
    ${target} =    Evaluate    $library.active_target()
    Should Be Equal As Numbers    ${target.p2_server}    ${p2}    precision=6
    Should Be Equal As Numbers    ${target.p2_star_server}    ${p2_star}    precision=6

Simulated ECU Announces
    [Documentation]    Changes the P2 and P2* (seconds) the simulated ECU announces in session changes.
    [Arguments]    ${p2}    ${p2_star}
    ${ecu} =    Get UDS Simulator
    ${timing} =    Evaluate    dataclasses.replace($ecu.description.timing, p2=${p2}, p2_star=${p2_star})
    ...    modules=dataclasses
    Evaluate    setattr($ecu, 'description', dataclasses.replace($ecu.description, timing=$timing))
    ...    modules=dataclasses
