import { formatLocale } from '../../i18n.ts';
import { Alert, Anchor, Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { get, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { VisitNoteCard } from './VisitNoteCard.tsx';

type Visit = GetResult<'/api/visits/{visitId}'>;
interface Presence { userId: string; name: string; state: 'waiting' | 'admitted' | 'left'; expert: boolean; connection: string | null }
type Phase = 'check' | 'joining' | 'in' | 'left' | 'ended' | 'closed' | 'dropped' | 'replaced';
type Signal = { description?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit | null };

/** A video element showing a stream (React cannot set `srcObject` as an attribute). */
function StreamVideo({ stream, muted, label, testId }: { stream: MediaStream | null; muted?: boolean; label: string; testId: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <Stack gap={2}>
      <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} data-testid={testId} style={{ width: '100%', aspectRatio: '4 / 3', background: '#111', borderRadius: 8 }} />
      <Text size="xs" c="dimmed">{label}</Text>
    </Stack>
  );
}

/**
 * The video visit: a camera and microphone check, then the room. The expert is in at once and
 * lets the others in from the waiting room; everyone admitted sees and hears everyone else over
 * WebRTC, directly between browsers (the server only passes the connection messages).
 */
export function VisitRoomPage() {
  const { visitId = '' } = useParams();
  const { t } = useTranslation();
  const visit = useQuery({ queryKey: ['visit', visitId], queryFn: () => get<Visit>(`/visits/${visitId}`) });
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const [muted, setMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [phase, setPhase] = useState<Phase>('check');
  const [me, setMe] = useState<string | null>(null);
  const [presence, setPresence] = useState<Presence[]>([]);
  const [remote, setRemote] = useState<Record<string, MediaStream>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const peers = useRef(new Map<string, RTCPeerConnection>());
  const pending = useRef(new Map<string, RTCIceCandidateInit[]>());
  const ice = useRef<RTCIceServer[]>([]);
  // Which window of each person our connection to them was made with.
  const peerWindow = useRef(new Map<string, string | null>());
  // While the expert shares their screen, it is the video everyone receives instead of the camera.
  const [screen, setScreen] = useState<MediaStream | null>(null);
  const screenTrack = useRef<MediaStreamTrack | null>(null);

  const [audioOnly, setAudioOnly] = useState(false);
  const startDevices = useCallback(async () => {
    setDeviceError(null);
    try {
      setLocal(await navigator.mediaDevices.getUserMedia({ video: true, audio: true }));
      setAudioOnly(false);
    } catch (e) {
      // No camera (or it is refused): sound alone is still a visit.
      try {
        setLocal(await navigator.mediaDevices.getUserMedia({ audio: true }));
        setAudioOnly(true);
      } catch {
        setDeviceError((e as Error).message || (e as Error).name);
      }
    }
  }, []);
  useEffect(() => {
    void startDevices();
  }, [startDevices]);
  useEffect(() => () => local?.getTracks().forEach((x) => x.stop()), [local]);

  const send = (m: unknown) => socket.current?.readyState === WebSocket.OPEN && socket.current.send(JSON.stringify(m));

  const peerFor = useCallback((peerId: string) => {
    let pc = peers.current.get(peerId);
    if (pc) return pc;
    pc = new RTCPeerConnection({ iceServers: ice.current });
    for (const track of local?.getTracks() ?? []) pc.addTrack(track.kind === 'video' && screenTrack.current ? screenTrack.current : track, local!);
    pc.onicecandidate = (e) => send({ type: 'signal', to: peerId, data: { candidate: e.candidate?.toJSON() ?? null } });
    pc.ontrack = (e) => setRemote((r) => ({ ...r, [peerId]: e.streams[0] ?? new MediaStream([e.track]) }));
    peers.current.set(peerId, pc);
    return pc;
  }, [local]);

  const closePeer = (peerId: string) => {
    peers.current.get(peerId)?.close();
    peers.current.delete(peerId);
    pending.current.delete(peerId);
    setRemote((r) => {
      const { [peerId]: _gone, ...rest } = r;
      return rest;
    });
  };

  const onSignal = useCallback(async (from: string, data: Signal) => {
    // A new offer over a connection already made comes from that person's new window: start afresh.
    if (data.description?.type === 'offer' && peers.current.get(from)?.remoteDescription) closePeer(from);
    const pc = peerFor(from);
    if (data.description) {
      await pc.setRemoteDescription(data.description);
      for (const c of pending.current.get(from) ?? []) await pc.addIceCandidate(c);
      pending.current.delete(from);
      if (data.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        send({ type: 'signal', to: from, data: { description: pc.localDescription?.toJSON() } });
      }
    } else if (data.candidate) {
      if (pc.remoteDescription) await pc.addIceCandidate(data.candidate);
      else pending.current.set(from, [...(pending.current.get(from) ?? []), data.candidate]);
    }
  }, [peerFor]);

  // Connect to everyone admitted; of each pair, the one with the greater id makes the offer.
  useEffect(() => {
    if (!me) return;
    const mine = presence.find((p) => p.userId === me);
    if (mine?.state !== 'admitted') return;
    const others = presence.filter((p) => p.state === 'admitted' && p.userId !== me);
    const admitted = others.map((p) => p.userId);
    for (const id of [...peers.current.keys()]) if (!admitted.includes(id)) closePeer(id);
    // Someone who came back in another window is a new connection.
    for (const p of others) {
      if (peerWindow.current.has(p.userId) && peerWindow.current.get(p.userId) !== p.connection) closePeer(p.userId);
      peerWindow.current.set(p.userId, p.connection);
    }
    for (const id of admitted) {
      if (peers.current.has(id) || me < id) continue;
      const pc = peerFor(id);
      void pc.createOffer().then(async (offer) => {
        await pc.setLocalDescription(offer);
        send({ type: 'signal', to: id, data: { description: pc.localDescription?.toJSON() } });
      });
    }
  }, [presence, me, peerFor]);

  const join = () => {
    setPhase('joining');
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/visits/${visitId}/live`);
    socket.current = ws;
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === 'hello') {
        ice.current = m.iceServers ?? [];
        setMe(m.you);
        setPresence(m.presence);
        setPhase('in');
      } else if (m.type === 'presence') setPresence(m.presence);
      else if (m.type === 'signal') void onSignal(m.from, m.data).catch((err: Error) => setProblem(err.message));
      else if (m.type === 'ended') {
        stopScreen();
        setPhase('ended');
      }
      else if (m.type === 'replaced') setPhase('replaced');
      else if (m.type === 'error') setProblem(m.detail);
    };
    ws.onclose = (e) => {
      stopScreen();
      for (const id of [...peers.current.keys()]) closePeer(id);
      setPhase((p) => (p === 'ended' || p === 'left' ? p : e.code === 4409 ? 'replaced' : e.code === 4404 || e.code === 4403 ? 'closed' : 'dropped'));
    };
  };
  useEffect(() => () => {
    socket.current?.close();
    screenTrack.current?.stop();
  }, []);

  // Screen sharing ends with the visit, a dropped connection or leaving: a rejoin starts on the camera.
  const stopScreen = () => {
    screenTrack.current?.stop();
    screenTrack.current = null;
    setScreen(null);
  };
  const leave = () => {
    stopScreen();
    send({ type: 'leave' });
    socket.current?.close();
    setPhase('left');
  };
  const videoSenders = () => [...peers.current.values()].map((pc) => pc.getSenders().find((s) => s.track?.kind === 'video')).filter((s): s is RTCRtpSender => !!s);
  const stopSharing = async () => {
    const camera = local?.getVideoTracks()[0] ?? null;
    await Promise.all(videoSenders().map((s) => s.replaceTrack(camera)));
    screenTrack.current?.stop();
    screenTrack.current = null;
    setScreen(null);
  };
  const shareScreen = async () => {
    try {
      const shared = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const track = shared.getVideoTracks()[0]!;
      screenTrack.current = track;
      // Swapping the track needs no new offer: the others keep the same connection.
      await Promise.all(videoSenders().map((s) => s.replaceTrack(track)));
      track.onended = () => void stopSharing();
      setScreen(shared);
    } catch (e) {
      if ((e as Error).name !== 'NotAllowedError') setProblem(t('visits:room.shareFailed', { reason: (e as Error).message || (e as Error).name }));
    }
  };
  const toggleMute = () => {
    local?.getAudioTracks().forEach((x) => (x.enabled = muted));
    setMuted(!muted);
  };
  const toggleCamera = () => {
    local?.getVideoTracks().forEach((x) => (x.enabled = cameraOff));
    setCameraOff(!cameraOff);
  };

  if (visit.isLoading) return <Loader role="status" aria-label={t('visits:room.loading')} />;
  if (visit.error || !visit.data) return <ErrorNote error={visit.error} />;
  const v = visit.data;
  const mine = presence.find((p) => p.userId === me);
  const waiting = presence.filter((p) => p.state === 'waiting');
  const others = presence.filter((p) => p.state === 'admitted' && p.userId !== me);
  return (
    <Stack gap="md">
      <Stack gap={2}>
        <Title order={2}>{t('visits:room.title', { expert: v.expertName })}</Title>
        <Text size="sm">{t('visits:room.when', { time: new Date(v.startsAt).toLocaleString(formatLocale(), { dateStyle: 'full', timeStyle: 'short' }) })}</Text>
        <Text size="xs" c="dimmed">{t('visits:room.privacy')}</Text>
      </Stack>
      {deviceError && (
        <Alert color="red">
          {t('visits:room.noCamera', { reason: deviceError })} <Button size="xs" variant="light" onClick={() => void startDevices()}>{t('visits:room.tryAgain')}</Button>
        </Alert>
      )}
      {problem && <Alert color="orange">{problem}</Alert>}
      {phase === 'ended' && <Alert color="green" data-testid="visit-ended">{t('visits:room.ended')}</Alert>}
      {phase === 'left' && <Alert color="gray">{t('visits:room.left')}</Alert>}
      {phase === 'closed' && <Alert color="gray">{t('visits:room.closed')}</Alert>}
      {phase === 'replaced' && <Alert color="blue" data-testid="visit-replaced">{t('visits:room.replaced')} <Button size="xs" variant="light" onClick={join}>{t('visits:room.joinHere')}</Button></Alert>}
      {phase === 'dropped' && <Alert color="orange">{t('visits:room.dropped')} <Button size="xs" variant="light" onClick={join}>{t('visits:room.rejoin')}</Button></Alert>}
      {audioOnly && <Alert color="blue">{t('visits:room.audioOnly')}</Alert>}
      {phase === 'in' && mine?.state === 'waiting' && <Alert color="blue" data-testid="waiting-room">{t('visits:room.waiting')}</Alert>}
      {phase === 'in' && mine?.state === 'admitted' && <Badge color="green" data-testid="in-visit">{t('visits:room.inVisit')}</Badge>}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <StreamVideo stream={screen ?? local} muted label={screen ? t('visits:room.yourScreen') : t('visits:room.you')} testId="local-video" />
        {Object.entries(remote).map(([id, stream]) => <StreamVideo key={id} stream={stream} label={presence.find((p) => p.userId === id)?.name ?? ''} testId="remote-video" />)}
      </SimpleGrid>
      {phase === 'in' && mine?.state === 'admitted' && others.length === 0 && <Text size="sm" c="dimmed">{t('visits:room.alone')}</Text>}
      <Group wrap="wrap">
        <Button variant="default" onClick={toggleMute} disabled={!local}>{muted ? t('visits:room.unmute') : t('visits:room.mute')}</Button>
        <Button variant="default" onClick={toggleCamera} disabled={!local}>{cameraOff ? t('visits:room.cameraOn') : t('visits:room.cameraOff')}</Button>
        {phase === 'check' && <Button onClick={join} disabled={!local}>{t('visits:room.join')}</Button>}
        {phase === 'check' && <Text size="sm">{t('visits:room.check')}</Text>}
        {phase === 'in' && <Button color="red" variant="light" onClick={leave}>{t('visits:room.leave')}</Button>}
        {phase === 'in' && v.expert && !audioOnly && (screen
          ? <Button variant="light" onClick={() => void stopSharing()}>{t('visits:room.stopShare')}</Button>
          : <Button variant="default" onClick={() => void shareScreen()} visibleFrom="sm">{t('visits:room.share')}</Button>)}
        {phase === 'in' && v.expert && <Button color="red" onClick={() => send({ type: 'end' })}>{t('visits:room.end')}</Button>}
      </Group>
      {phase === 'in' && v.expert && (
        <Card withBorder>
          <Title order={3} size="h5">{t('visits:room.waitingList')}</Title>
          {waiting.length === 0 ? <Text size="sm" c="dimmed">{t('visits:room.nobodyWaiting')}</Text> : (
            <Stack gap={4} mt={4}>{waiting.map((p) => <Group key={p.userId}><Button size="xs" onClick={() => send({ type: 'admit', userId: p.userId })}>{t('visits:room.letIn', { name: p.name })}</Button></Group>)}</Stack>
          )}
          <Anchor component={Link} to={`/cases/${v.caseId}?tab=opinion`} target="_blank" size="sm" mt="sm">{t('visits:room.openCase')}</Anchor>
        </Card>
      )}
      {v.expert && phase !== 'check' && <VisitNoteCard caseId={v.caseId} startsAt={v.startsAt} />}
    </Stack>
  );
}
