*** Settings ***
Documentation     RequestDownload 0x34, TransferData 0x36 and RequestTransferExit 0x37 (catalogue
...               section 13): the accepted download and its block length, the checks of the request
...               (security, length, format, address, a download already active), the block sequence
...               counter (wrong, wrapping FF -> 00), block lengths and the amount announced, and the
...               exit with complete, incomplete, corrupt and slowly verified data.
...
...               Common precondition (``P PRG U ERASED``): extended then programming session, the
...               programming security level unlocked, the download area erased through the erase routine.

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    ${BENCH}    0x34
Suite Teardown    Close All UDS Connections
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         requires:download    physical

Name              0x34 0x36 0x37 Download


*** Variables ***
${BENCH}               ${CURDIR}/../../resources/benches/sim-1.yaml
${REQUEST_DOWNLOAD}    34 ${DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS} ${DOWNLOAD_SIZE}
${ACCEPTED}            74 ${MAX_BLOCK_LENGTH_FIELD}


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3401 Download Is Accepted With The Block Length
    [Documentation]    RequestDownload into the erased area is answered with maxNumberOfBlockLength.
    [Tags]    sid:0x34    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}
TC3402 Download While Locked Gets 0x33
    [Documentation]    RequestDownload while the programming level is locked gets securityAccessDenied.
    [Tags]    sid:0x34    nrc    security
    P PRG L    ${REQUEST_DOWNLOAD}    7F 34 33
TC3403 Request Without Size Gets 0x13
    [Documentation]    A request that ends after the address gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    sid:0x34    nrc    length
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS}    7F 34 13
TC3404 Invalid Address And Length Format Gets 0x31
    [Documentation]    addressAndLengthFormatIdentifier 00 (no address, no size) gets requestOutOfRange.
    [Tags]    sid:0x34    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} 00 ${DOWNLOAD_ADDRESS}    7F 34 31
TC3405 Unsupported Data Format Gets 0x31
    [Documentation]    A compression or encryption method the ECU does not support gets requestOutOfRange.
    [Tags]    sid:0x34    nrc
    P PRG U ERASED    34 ${UNSUPPORTED_DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS} ${DOWNLOAD_SIZE}    7F 34 31
TC3406 Address Outside Memory Gets 0x31
    [Documentation]    A memory address outside every download area gets requestOutOfRange.
    [Tags]    sid:0x34    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${ADDRESS_OUTSIDE_MEMORY} ${DOWNLOAD_SIZE}    7F 34 31
TC3407 Second Download While One Is Active Gets 0x22
    [Documentation]    RequestDownload while a download is already active gets conditionsNotCorrect.
    [Tags]    sid:0x34    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    ${REQUEST_DOWNLOAD}    7F 34 22
TC3601 First Block Is Acknowledged
    [Documentation]    The first full block, counter 01, is answered 76 01.
    [Tags]    sid:0x36    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
TC3602 Second Block Is Acknowledged
    [Documentation]    The next block, counter 02, is answered 76 02.
    [Tags]    sid:0x36    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
    ...    36 02 ${BLOCK_DATA}    76 02
TC3604 Wrong Block Counter Gets 0x73
    [Documentation]    A block whose counter skips one gets wrongBlockSequenceCounter.
    [Tags]    sid:0x36    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
    ...    36 02 ${BLOCK_DATA}    76 02    36 04 ${BLOCK_DATA}    7F 36 73
TC3605 Transfer Without Download Gets 0x24
    [Documentation]    TransferData without an active download gets requestSequenceError.
    [Tags]    sid:0x36    nrc    sequence
    P PRG U ERASED    36 01 00    7F 36 24
TC3606 Block Longer Than Announced Gets 0x13
    [Documentation]    A block one byte over maxNumberOfBlockLength gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    sid:0x36    nrc    length
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA_TOO_LONG}    7F 36 13
TC3607 Block Counter Wraps From FF To 00
    [Documentation]    Over ${WRAP_BLOCKS} blocks the counter runs ... FE, FF, 00, 01 ...; every block is acknowledged.
    [Tags]    sid:0x36    positive    sequence    requires:counter-wrap
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Request Download At Area Start    ${WRAP_DOWNLOAD_SIZE}
    Transfer Data Blocks    ${WRAP_BLOCKS}
TC3609 Block After All Data Gets 0x24
    [Documentation]    A block after the announced amount has been transferred gets requestSequenceError.
    [Tags]    sid:0x36    nrc    sequence
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Send UDS Request
    ...    36 ${COUNTER_AFTER_LAST_BLOCK} ${BLOCK_DATA}
    ...    expected=7F 36 24
    ...    timeout=${TESTER_P2_TIMEOUT}
TC3610 Block Beyond The Announced Size Gets 0x71
    [Documentation]    A last block longer than what remains of the announced size gets transferDataSuspended.
    [Tags]    sid:0x36    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS} ${PARTIAL_DOWNLOAD_SIZE}    ${ACCEPTED}
    ...    36 01 ${BLOCK_DATA}    76 01    36 02 ${BLOCK_DATA}    7F 36 71
TC3701 Exit After All Data Is Accepted
    [Documentation]    RequestTransferExit after the whole announced amount is answered 77.
    [Tags]    sid:0x37    positive
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Send UDS Request    37    expected=77
TC3702 Exit Without Transfer Gets 0x24
    [Documentation]    RequestTransferExit without a download gets requestSequenceError.
    [Tags]    sid:0x37    nrc    sequence
    P PRG U ERASED    37    7F 37 24
TC3703 Exit Before All Data Gets 0x24
    [Documentation]    RequestTransferExit before the announced amount is transferred gets requestSequenceError.
    [Tags]    sid:0x37    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01    37    7F 37 24
TC3704 Exit With Corrupt Data Gets 0x72
    [Documentation]    When the (simulated) check of the data fails, the exit gets generalProgrammingFailure.
    [Tags]    sid:0x37    nrc    fault    requires:simulator
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Inject Fault    crc_mismatch    True
    Send UDS Request    37    expected=7F 37 72
TC3705 Slow Verification Answers 0x78 Then 77
    [Documentation]    A (simulated) verification longer than P2* is bridged by 0x78 within P2 and P2*, then 77.
    [Tags]    sid:0x37    timing    fault    requires:simulator
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Inject Fault    slow_verification    ${SLOW_OPERATION}
    Send UDS Request    37    expected=77
    Responses Should Respect P2 And P2*    min_pending=1
