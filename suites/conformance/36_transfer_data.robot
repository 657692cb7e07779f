*** Settings ***
Documentation     TransferData 0x36 (catalogue section 13): acknowledged blocks, the block sequence counter (wrong,
...               wrapping FF -> 00), transfer without a download, block lengths and the amount announced.
...
...               Common precondition (``P PRG U ERASED``): extended then programming session, the
...               programming security level unlocked, the download area erased through the erase routine.
...               RequestDownload, TransferData and RequestTransferExit are checked together: the
...               cases are skipped when the ECU lacks any of them (``requires:download``).

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x36
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x36    requires:download    physical

Name              0x36 Transfer Data


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC3601 First Block Is Acknowledged
    [Documentation]    The first full block, counter 01, is answered 76 01.
    [Tags]    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
TC3602 Second Block Is Acknowledged
    [Documentation]    The next block, counter 02, is answered 76 02.
    [Tags]    positive
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
    ...    36 02 ${BLOCK_DATA}    76 02
TC3604 Wrong Block Counter Gets 0x73
    [Documentation]    A block whose counter skips one gets wrongBlockSequenceCounter.
    [Tags]    nrc    sequence
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA}    76 01
    ...    36 02 ${BLOCK_DATA}    76 02    36 04 ${BLOCK_DATA}    7F 36 73
TC3605 Transfer Without Download Gets 0x24
    [Documentation]    TransferData without an active download gets requestSequenceError.
    [Tags]    nrc    sequence
    P PRG U ERASED    36 01 00    7F 36 24
TC3606 Block Longer Than Announced Gets 0x13
    [Documentation]    A block one byte over maxNumberOfBlockLength gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length
    P PRG U ERASED    ${REQUEST_DOWNLOAD}    ${ACCEPTED}    36 01 ${BLOCK_DATA_TOO_LONG}    7F 36 13
TC3607 Block Counter Wraps From FF To 00
    [Documentation]    Over ${WRAP_BLOCKS} blocks the counter runs ... FE, FF, 00, 01 ...; every block is acknowledged.
    [Tags]    positive    sequence    requires:counter-wrap
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Request Download At Area Start    ${WRAP_DOWNLOAD_SIZE}
    Transfer Data Blocks    ${WRAP_BLOCKS}
TC3609 Block After All Data Gets 0x24
    [Documentation]    A block after the announced amount has been transferred gets requestSequenceError.
    [Tags]    nrc    sequence
    [Template]    NONE
    Establish Precondition    P PRG U ERASED
    Transfer All Data
    Send UDS Request
    ...    36 ${COUNTER_AFTER_LAST_BLOCK} ${BLOCK_DATA}
    ...    expected=7F 36 24
    ...    timeout=${TESTER_P2_TIMEOUT}
TC3610 Block Beyond The Announced Size Gets 0x71
    [Documentation]    A last block longer than what remains of the announced size gets transferDataSuspended.
    [Tags]    nrc
    P PRG U ERASED    34 ${DATA_FORMAT} ${ALFID} ${DOWNLOAD_ADDRESS} ${PARTIAL_DOWNLOAD_SIZE}    ${ACCEPTED}
    ...    36 01 ${BLOCK_DATA}    76 01    36 02 ${BLOCK_DATA}    7F 36 71
